// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Rebuy",
  products: [
    .executable(name: "rebuy", targets: ["rebuy"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // MARK: System libraries
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev", "liblapack-dev", "liblapacke-dev", "pkg-config"])]),

    // MARK: Library modules (values in, values out)
    .target(name: "LinearAlgebra", dependencies: ["COpenBLAS"]),
    .target(name: "RebuyCore"),
    .target(name: "Ingest", dependencies: ["RebuyCore"]),
    .target(name: "Features", dependencies: ["RebuyCore", "Ingest"]),
    .target(name: "Synthetic", dependencies: ["RebuyCore"]),
    .target(name: "Learners", dependencies: ["RebuyCore", "LinearAlgebra"]),
    .target(name: "Evaluation", dependencies: ["RebuyCore"]),
    .target(name: "CustomerBase", dependencies: ["RebuyCore"]),
    .target(name: "Analytics", dependencies: ["RebuyCore", "Ingest", "LinearAlgebra"]),
    .target(name: "ModelIO", dependencies: ["RebuyCore", "Learners", "Evaluation", "CustomerBase"]),

    // MARK: The command line
    .executableTarget(
      name: "rebuy",
      dependencies: [
        "LinearAlgebra", "RebuyCore", "Ingest", "Features", "Synthetic", "Learners", "Evaluation", "ModelIO", "CustomerBase", "Analytics",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: Tests
    .target(name: "TestSupport", dependencies: ["RebuyCore"], path: "Sources/TestSupport"),
    .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
    .testTarget(name: "RebuyCoreTests", dependencies: ["RebuyCore", "TestSupport"]),
    .testTarget(name: "IngestTests", dependencies: ["Ingest", "TestSupport"]),
    .testTarget(name: "FeaturesTests", dependencies: ["Features", "Ingest", "Synthetic", "TestSupport"]),
    .testTarget(name: "SyntheticTests", dependencies: ["Synthetic", "Ingest", "TestSupport"]),
    .testTarget(name: "LearnersTests", dependencies: ["Learners", "Features", "Ingest", "TestSupport"]),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
    .testTarget(name: "CustomerBaseTests", dependencies: ["CustomerBase", "TestSupport"]),
    .testTarget(name: "AnalyticsTests", dependencies: ["Analytics", "Ingest", "Features", "LinearAlgebra", "TestSupport"]),
    .testTarget(name: "ModelIOTests", dependencies: ["ModelIO", "Learners", "Evaluation", "CustomerBase", "TestSupport"]),
    .testTarget(name: "RebuyCLITests", dependencies: ["TestSupport"]),
  ]
)
