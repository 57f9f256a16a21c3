import Foundation

/// One self-contained HTML page (inline CSS and SVG, nothing fetched at view time) with the
/// charts of an evaluation: ROC and precision-recall curves with the recency baseline, lift and
/// cumulative gain by decile, the calibration curve, score histograms by class, the confusion
/// matrix, and a table of facts.
public enum ReportPage {
  /// The page for `probabilities` against `labels`, with `recencyDays` for the baseline curves.
  public static func html(
    title: String, labels: [UInt8], probabilities: [Double], recencyDays: [Double], report: ClassificationReport,
    baselines: Baselines, facts: [(String, String)]
  ) -> String {
    let roc = ROCCurve(labels: labels, scores: probabilities)
    let pr = PrecisionRecallCurve(labels: labels, scores: probabilities)
    let recencyScores = recencyDays.map { $0.isNaN ? -Double.greatestFiniteMagnitude : -$0 }
    let recencyROC = ROCCurve(labels: labels, scores: recencyScores)
    let recencyPR = PrecisionRecallCurve(labels: labels, scores: recencyScores)
    var charts: [String] = []
    charts.append(chart(
      id: "roc", title: "ROC curve", x: "false positive rate", y: "true positive rate",
      series: [
        ("model (AUC \(format(report.rocAUC)))", "#1f6feb", zip(roc.falsePositiveRates, roc.truePositiveRates).map { ($0, $1) }),
        ("recency only (AUC \(format(baselines.recencyROCAUC)))", "#d29922", zip(recencyROC.falsePositiveRates, recencyROC.truePositiveRates).map { ($0, $1) }),
        ("chance", "#8b949e", [(0, 0), (1, 1)]),
      ]))
    charts.append(chart(
      id: "pr", title: "Precision-recall curve", x: "recall", y: "precision",
      series: [
        ("model (AP \(format(report.prAUC)))", "#1f6feb", zip(pr.recalls, pr.precisions).map { ($0, $1) }),
        ("recency only (AP \(format(baselines.recencyPRAUC)))", "#d29922", zip(recencyPR.recalls, recencyPR.precisions).map { ($0, $1) }),
        ("base rate", "#8b949e", [(0, baselines.baseRate ?? 0), (1, baselines.baseRate ?? 0)]),
      ]))
    let deciles = report.lift.deciles
    charts.append(chart(
      id: "lift", title: "Lift by decile", x: "decile (1 = highest scores)", y: "lift", xRange: (0.5, 10.5),
      yRange: (0, max(1, deciles.compactMap(\.lift).max() ?? 1) * 1.1),
      series: [("lift", "#1f6feb", deciles.compactMap { d in d.lift.map { (Double(d.decile), $0) } }), ("no model", "#8b949e", [(0.5, 1), (10.5, 1)])],
      bars: true))
    charts.append(chart(
      id: "gain", title: "Cumulative gain", x: "share of customers contacted", y: "share of positives found",
      series: [
        ("model", "#1f6feb", [(0, 0)] + deciles.compactMap { d in d.cumulativeGain.map { (Double(d.decile) / 10, $0) } }),
        ("random", "#8b949e", [(0, 0), (1, 1)]),
      ]))
    let bins = report.calibration.bins.filter { $0.rows > 0 }
    charts.append(chart(
      id: "calibration", title: "Calibration", x: "mean predicted probability", y: "observed positive rate",
      series: [
        ("model", "#1f6feb", bins.map { ($0.meanPredicted!, $0.fractionPositive!) }),
        ("perfect", "#8b949e", [(0, 0), (1, 1)]),
      ], points: true))
    charts.append(histogram(labels: labels, probabilities: probabilities))
    let c = report.confusion
    let confusion = """
      <figure id="confusion"><figcaption>Confusion matrix at threshold \(format(report.threshold))</figcaption>
      <table class="confusion"><tr><th></th><th>predicted 0</th><th>predicted 1</th></tr>
      <tr><th>actual 0</th><td>\(c.trueNegatives)</td><td>\(c.falsePositives)</td></tr>
      <tr><th>actual 1</th><td>\(c.falseNegatives)</td><td>\(c.truePositives)</td></tr></table></figure>
      """
    let metrics: [(String, String)] = [
      ("rows", "\(report.rows) (\(report.positives) positive)"), ("precision", format(report.precision)),
      ("recall", format(report.recall)), ("F1", format(report.f1)), ("accuracy", format(report.accuracy)),
      ("ROC-AUC", format(report.rocAUC)), ("PR-AUC", format(report.prAUC)), ("log loss", format(report.logLoss)),
      ("Brier score", format(report.brierScore)), ("best-F1 threshold", format(report.bestF1Threshold)),
      ("recency-only ROC-AUC", format(baselines.recencyROCAUC)), ("majority accuracy", format(baselines.majorityAccuracy)),
    ]
    let factRows = (facts + metrics).map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined()
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
      <style>
      body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; background: #ffffff; }
      h1 { font-size: 22px; } .grid { display: flex; flex-wrap: wrap; gap: 16px; }
      figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; background: #f6f8fa; }
      figcaption { font-weight: 600; margin-bottom: 4px; }
      table { border-collapse: collapse; } th, td { padding: 4px 10px; border-bottom: 1px solid #d0d7de; text-align: left; }
      table.confusion td { text-align: right; font-size: 18px; min-width: 90px; }
      </style></head><body>
      <h1>\(escape(title))</h1>
      <div class="grid">\(charts.joined(separator: "\n"))
      \(confusion)
      <figure id="facts"><figcaption>Facts</figcaption><table>\(factRows)</table></figure></div>
      </body></html>

      """
  }

  /// A metric for people: three decimals, or `undefined` (or the given word) when it is `nil`.
  public static func format(_ value: Double?, undefined: String = "undefined") -> String {
    guard let value else { return undefined }
    return String(format: "%.3f", value)
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  /// At most `limit` points, evenly spaced along the curve (curves of a million rows stay small).
  static func thinned(_ points: [(Double, Double)], limit: Int = 400) -> [(Double, Double)] {
    guard points.count > limit else { return points }
    return (0..<limit).map { points[$0 * (points.count - 1) / (limit - 1)] }
  }

  static func chart(
    id: String, title: String, x: String, y: String, xRange: (Double, Double) = (0, 1), yRange: (Double, Double) = (0, 1),
    series: [(String, String, [(Double, Double)])], bars: Bool = false, points: Bool = false, dashLast: Bool = true
  ) -> String {
    let (w, h, left, bottom, top, right) = (360.0, 300.0, 48.0, 40.0, 12.0, 12.0)
    func px(_ v: Double) -> Double { left + (v - xRange.0) / (xRange.1 - xRange.0) * (w - left - right) }
    func py(_ v: Double) -> Double { h - bottom - (v - yRange.0) / (yRange.1 - yRange.0) * (h - bottom - top) }
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\">"
    svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(w - left - right)\" height=\"\(h - bottom - top)\" fill=\"#ffffff\" stroke=\"#d0d7de\"/>"
    for k in 0...4 {
      let fx = xRange.0 + Double(k) / 4 * (xRange.1 - xRange.0), fy = yRange.0 + Double(k) / 4 * (yRange.1 - yRange.0)
      svg += "<text x=\"\(px(fx))\" y=\"\(h - bottom + 14)\" font-size=\"10\" text-anchor=\"middle\">\(format(fx))</text>"
      svg += "<text x=\"\(left - 4)\" y=\"\(py(fy) + 3)\" font-size=\"10\" text-anchor=\"end\">\(format(fy))</text>"
    }
    svg += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 6)\" font-size=\"11\" text-anchor=\"middle\">\(escape(x))</text>"
    svg += "<text x=\"12\" y=\"\((top + h - bottom) / 2)\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 \((top + h - bottom) / 2))\">\(escape(y))</text>"
    for (index, (name, colour, data)) in series.enumerated() {
      if bars && index == 0 {
        for (vx, vy) in data {
          svg += "<rect x=\"\(px(vx - 0.4))\" y=\"\(py(vy))\" width=\"\(px(vx + 0.4) - px(vx - 0.4))\" height=\"\(py(yRange.0) - py(vy))\" fill=\"\(colour)\"/>"
        }
      } else if points && index == 0 {
        for (vx, vy) in data { svg += "<circle cx=\"\(px(vx))\" cy=\"\(py(vy))\" r=\"4\" fill=\"\(colour)\"/>" }
        svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"" + data.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ") + "\"/>"
      } else {
        let dash = dashLast && index == series.count - 1 ? " stroke-dasharray=\"4 3\"" : ""
        svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash) points=\""
          + thinned(data).map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ") + "\"/>"
      }
      svg += "<rect x=\"\(left + 8)\" y=\"\(top + 6 + Double(index) * 14)\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
      svg += "<text x=\"\(left + 22)\" y=\"\(top + 15 + Double(index) * 14)\" font-size=\"10\">\(escape(name))</text>"
    }
    svg += "</svg>"
    return "<figure id=\"\(id)\"><figcaption>\(escape(title))</figcaption>\(svg)</figure>"
  }

  /// Score histograms by class: the share of each class's rows in twenty probability bins.
  static func histogram(labels: [UInt8], probabilities: [Double]) -> String {
    var counts = [[Double]](repeating: [Double](repeating: 0, count: 20), count: 2)
    var totals = [0.0, 0.0]
    for (label, p) in zip(labels, probabilities) {
      counts[Int(label)][min(19, Int(p * 20))] += 1
      totals[Int(label)] += 1
    }
    let shares = (0..<2).map { c in counts[c].map { totals[c] > 0 ? $0 / totals[c] : 0 } }
    let top = max(0.01, shares.flatMap { $0 }.max() ?? 0.01) * 1.1
    let series: [(String, String, [(Double, Double)])] = [
      ("label 0", "#d29922", (0..<20).map { (Double($0) / 20 + 0.025, shares[0][$0]) }),
      ("label 1", "#1f6feb", (0..<20).map { (Double($0) / 20 + 0.025, shares[1][$0]) }),
    ]
    return chart(
      id: "histogram", title: "Scores by class", x: "predicted probability", y: "share of the class", yRange: (0, top),
      series: series, dashLast: false)
  }
}
