import Features
import Foundation
import Ingest
import Testing
import TestSupport

@testable import Learners

/// Against scikit-learn's `DecisionTreeClassifier` (fixture: `Notebooks/oracles/sklearn_reference.py`)
/// on the bundled dataset's features at 2024-06-30 (without `frequency`, which duplicates
/// `orders`), in four settings.
@Suite struct DecisionTreeTests {
  static func data() throws -> (json: [String: Any], train: FeatureMatrix, labels: Labels, test: FeatureMatrix) {
    let data = try BundledFeatures.load(fixture: "tree_reference")
    return (data.json, data.train, data.labels, data.test)
  }

  static func estimator(_ settings: [String: Any]) -> DecisionTree {
    DecisionTree(
      criterion: DecisionTree.Criterion(rawValue: settings["criterion"] as! String)!, maxDepth: settings["max_depth"] as? Int,
      minSamplesSplit: settings["min_samples_split"] as? Int ?? 2, minSamplesLeaf: settings["min_samples_leaf"] as? Int ?? 1,
      minImpurityDecrease: settings["min_impurity_decrease"] as? Double ?? 0,
      classWeight: settings["class_weight"] as? String == "balanced" ? .balanced : .none)
  }

  /// scikit-learn's tree with its splits of pure nodes undone: with class weights it can see a
  /// pure node's impurity as 3e-16 (rounding), above its stopping threshold, and split it into
  /// two pure leaves; Rebuy keeps such a node a leaf. Preorder, like both trees.
  static func withoutPureSplits(_ r: [String: Any]) -> (left: [Int32], right: [Int32], feature: [Int], threshold: [Double], samples: [Int], value: [Double], impurity: [Double], collapsed: Int) {
    let left = r["left"] as! [Int], right = r["right"] as! [Int], impurity = r["impurity"] as! [Double]
    var out: (left: [Int32], right: [Int32], feature: [Int], threshold: [Double], samples: [Int], value: [Double], impurity: [Double], collapsed: Int) = ([], [], [], [], [], [], [], 0)
    func visit(_ k: Int) -> Int32 {
      let id = out.left.count
      let pure = impurity[k] < 1e-12 && left[k] >= 0
      if pure { out.collapsed += 1 }
      let split = left[k] >= 0 && !pure
      out.left.append(-1)
      out.right.append(-1)
      out.feature.append(split ? (r["feature"] as! [Int])[k] : -1)
      out.threshold.append(split ? (r["threshold"] as! [Double])[k] : 0)
      out.samples.append((r["samples"] as! [Int])[k])
      out.value.append((r["value"] as! [Double])[k])
      out.impurity.append(pure ? 0 : impurity[k])
      if split {
        let l = visit(left[k])
        let rr = visit(right[k])
        out.left[id] = l
        out.right[id] = rr
      }
      return Int32(id)
    }
    _ = visit(0)
    return out
  }

  /// The same tree, walked node by node from the root: rows, value (1e-12) and impurity
  /// (1e-10) everywhere; at each split the same feature with the same threshold (to 1e-6
  /// relative: scikit-learn compares float32 copies of the features) — or an exact tie, which
  /// scikit-learn breaks by a random feature order and Rebuy by column order: either another
  /// feature that splits the node's rows the same way (the walk goes on), or a split with the
  /// same impurity decrease but other rows (the subtrees may then differ: the walk stops there).
  /// Importances equal scikit-learn's (1e-9) when nothing tied, else once the same-rows ties are
  /// credited to Rebuy's feature; predictions for the 2024-09-30 customers are equal (1e-12) for
  /// every customer whom no tie sends another way.
  @Test(arguments: 0..<4)
  func sameTreeAsScikitLearn(setting: Int) throws {
    let (json, train, labels, test) = try Self.data()
    let raw = (json["trees"] as! [[String: Any]])[setting]
    let reference = Self.withoutPureSplits(raw)
    let estimator = Self.estimator(raw["settings"] as! [String: Any])
    let model = try estimator.fit(train, labels)
    let nodes = model.nodes
    let p = train.columnCount
    let weights = LogisticRegression(classWeight: estimator.classWeight).rowWeights(labels, nil)
    // The training values as the tree sees them: missing ones imputed.
    func value(_ row: Int, _ j: Int) -> Double {
      let v = train.values[row * p + j]
      return v.isNaN ? model.impute[j] : v
    }
    var sameRowTies: [Int: (feature: Int, threshold: Double)] = [:]  // our node → scikit-learn's split
    var stoppedAt: Set<Int> = []
    var compared = 0
    func walk(_ a: Int, _ b: Int, _ rows: [Int]) {
      compared += 1
      #expect(nodes.samples[a] == reference.samples[b] && rows.count == nodes.samples[a], "node \(a)")
      expectClose(nodes.value[a], reference.value[b], relativeTolerance: 1e-12, absoluteTolerance: 1e-12, "node \(a)")
      expectClose(nodes.impurity[a], reference.impurity[b], relativeTolerance: 1e-10, absoluteTolerance: 1e-12, "node \(a)")
      let (aLeaf, bLeaf) = (nodes.left[a] < 0, reference.left[b] < 0)
      #expect(aLeaf == bLeaf, "node \(a): a leaf in one tree only")
      if aLeaf || bLeaf { return }
      let ours = Int(nodes.feature[a]), theirs = reference.feature[b]
      let goesLeft = rows.map { value($0, ours) <= nodes.threshold[a] }
      if ours == theirs {
        expectClose(nodes.threshold[a], reference.threshold[b], relativeTolerance: 1e-6, absoluteTolerance: 1e-6, "node \(a)")
      } else {
        let wouldGoLeft = rows.map { Float(value($0, theirs)) <= Float(reference.threshold[b]) }
        if goesLeft == wouldGoLeft {
          sameRowTies[a] = (theirs, reference.threshold[b])
        } else {
          func score(_ left: [Bool]) -> Double {
            var w = [[0.0, 0.0], [0.0, 0.0]]
            for (row, l) in zip(rows, left) { w[l ? 0 : 1][Int(labels.values[row])] += weights[row] }
            return w.reduce(0) { $0 - ($1[0] + $1[1]) * estimator.impurity($1[0], $1[1]) }
          }
          let (mine, theirScore) = (score(goesLeft), score(wouldGoLeft))
          #expect(abs(mine - theirScore) <= 1e-9 * abs(mine), "node \(a): \(train.featureNames[ours]) (\(mine)) against \(train.featureNames[theirs]) (\(theirScore)) is not a tie")
          stoppedAt.insert(a)
          return
        }
      }
      walk(Int(nodes.left[a]), Int(reference.left[b]), zip(rows, goesLeft).filter { $0.1 }.map(\.0))
      walk(Int(nodes.right[a]), Int(reference.right[b]), zip(rows, goesLeft).filter { !$0.1 }.map(\.0))
    }
    walk(0, 0, Array(0..<train.rowCount))
    if stoppedAt.isEmpty {
      #expect(compared == nodes.count && compared == reference.left.count)
      // Importances from scikit-learn's impurities, same-rows ties credited to Rebuy's feature.
      var importance = [Double](repeating: 0, count: p)
      for k in 0..<nodes.count where nodes.left[k] >= 0 {
        let (l, r) = (Int(nodes.left[k]), Int(nodes.right[k]))
        importance[Int(nodes.feature[k])] += nodes.weightedSamples[k] * reference.impurity[k]
          - nodes.weightedSamples[l] * reference.impurity[l] - nodes.weightedSamples[r] * reference.impurity[r]
      }
      let total = importance.reduce(0, +)
      expectClose(model.featureImportances, importance.map { $0 / total }, relativeTolerance: 1e-9, absoluteTolerance: 1e-12)
      if sameRowTies.isEmpty && reference.collapsed == 0 {
        expectClose(model.featureImportances, raw["importances"] as! [Double], relativeTolerance: 1e-9, absoluteTolerance: 1e-12)
      }
    }
    let predicted = try model.predictProbability(test), expected = raw["test_probability"] as! [Double]
    var outside = 0
    for i in 0..<test.rowCount {
      let path = model.decisionPath(Array(test.values[(i * p)..<((i + 1) * p)]))
      if path.contains(where: stoppedAt.contains) { continue }
      // A same-rows tie can still send a new customer the other way.
      let row = Array(test.values[(i * p)..<((i + 1) * p)]).enumerated().map { $1.isNaN ? model.impute[$0] : $1 }
      if path.contains(where: { k in
        sameRowTies[k].map { (row[Int(nodes.feature[k])] <= nodes.threshold[k]) != (Float(row[$0.feature]) <= Float($0.threshold)) } ?? false
      }) { continue }
      outside += 1
      expectClose(predicted[i], expected[i], relativeTolerance: 1e-12, absoluteTolerance: 1e-12, "customer \(i)")
    }
    // Ties are rare: most customers never meet one.
    #expect(Double(outside) >= 0.95 * Double(test.rowCount))
    print("setting \(setting): \(compared) nodes compared, \(sameRowTies.count) same-rows ties, \(stoppedAt.count) different-rows ties, \(reference.collapsed) pure splits undone; \(outside) of \(test.rowCount) predictions compared")
  }
}

@Suite struct DecisionTreeBehaviourTests {
  static let x: FeatureMatrix = {
    var rows: [[Double?]] = []
    for i in 0..<200 {
      let b: Double? = i % 5 == 0 ? nil : Double((i * 7) % 23)
      rows.append([Double(i % 17), b, 1])
    }
    return FeatureMatrix(featureNames: ["a", "b", "constant"], rows: rows)
  }()
  static let y: Labels = {
    var labels: [UInt8] = []
    for i in 0..<200 { labels.append((i % 17 > 8) != (i % 11 == 0) ? 1 : 0) }
    return Labels(labels)
  }()

  /// Row order changes nothing; weights of 2 equal repeated rows; a constant column is never
  /// split on; a missing value is imputed with the training median.
  @Test func invariances() throws {
    let tree = DecisionTree(maxDepth: 5, minSamplesLeaf: 3)
    let model = try tree.fit(Self.x, Self.y)
    var rng = SplitMix64(seed: 3)
    let order = Array(0..<200).shuffled(using: &rng)
    let shuffled = try tree.fit(Self.x.rows(order), Labels(order.map { Self.y.values[$0] }))
    #expect(shuffled.nodes == model.nodes)
    let weighted = try DecisionTree(maxDepth: 5, minSamplesLeaf: 1).fit(
      Self.x, Self.y, sampleWeights: (0..<200).map { $0 < 100 ? 2 : 1 })
    let repeated = try DecisionTree(maxDepth: 5, minSamplesLeaf: 1).fit(
      Self.x.rows(Array(0..<200) + Array(0..<100)), Labels(Self.y.values + Array(Self.y.values[0..<100])))
    #expect(weighted.nodes.feature == repeated.nodes.feature && weighted.nodes.threshold == repeated.nodes.threshold)
    expectClose(weighted.nodes.value, repeated.nodes.value, relativeTolerance: 1e-12, absoluteTolerance: 1e-15)
    #expect(!model.nodes.feature.contains(2))
    #expect(model.impute[1] == Self.x.column(named: "b")!.filter { !$0.isNaN }.sorted()[79])
    let importances = model.featureImportances
    expectClose(importances.reduce(0, +), 1, relativeTolerance: 1e-12)
    #expect(importances[2] == 0)
  }

  @Test func limitsAndErrors() throws {
    let stump = try DecisionTree(maxDepth: 1).fit(Self.x, Self.y)
    #expect(stump.nodes.count == 3 && stump.depth == 1 && stump.leafCount == 2)
    let leafy = try DecisionTree(minSamplesLeaf: 40).fit(Self.x, Self.y)
    #expect(zip(leafy.nodes.samples, leafy.nodes.left).filter { $0.1 < 0 }.allSatisfy { $0.0 >= 40 })
    let cautious = try DecisionTree(minImpurityDecrease: 0.5).fit(Self.x, Self.y)
    #expect(cautious.nodes.count == 1)
    #expect(throws: FitError.self) { try DecisionTree(maxDepth: 0).fit(Self.x, Self.y) }
    #expect(throws: FitError.singleClass(label: 0, rows: 200)) { try DecisionTree().fit(Self.x, Labels([UInt8](repeating: 0, count: 200))) }
    // A pure tree: every training row back to its label.
    let full = try DecisionTree().fit(Self.x, Self.y)
    let p = try full.predictProbability(Self.x)
    let distinct = Set((0..<200).map { "\(Self.x.values[$0 * 3]),\(Self.x.values[$0 * 3 + 1])" }).count
    if distinct == 200 { #expect(zip(p, Self.y.values).allSatisfy { $0 == Double($1) }) }
    #expect(throws: ScoreError.self) { try full.predictProbability(FeatureMatrix(featureNames: ["a"], rows: [[1]])) }
  }

  @Test func stableOrderSortsLikeTheStandardLibrary() {
    var rng = SplitMix64(seed: 9)
    var values: [Double] = [0, -0.0, -1e300, 1e300]
    for _ in 0..<5000 {
      let u = rng.nextUnit()
      values.append(u < 0.3 ? Double(Int(u * 40)) : (u - 0.5) * 1e6 * rng.nextUnit())
    }
    let order = stableOrder(values).map(Int.init)
    let expected = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
    #expect(order.map { values[$0] } == expected.map { values[$0] })
    // Stable: equal values keep row order.
    for k in 1..<order.count where values[order[k]] == values[order[k - 1]] { #expect(order[k] > order[k - 1]) }
  }
}
