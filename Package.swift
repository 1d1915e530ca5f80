// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FaceStream",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "facestream", targets: ["facestream"]),
        .library(name: "FaceKit", targets: ["FaceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/vapor/websocket-kit.git", from: "2.16.2"),
    ],
    targets: [
        // dlib and OpenCV's DNN (YuNet) behind a C API. Always optimised: dlib's templates are ~60x
        // slower at -O0. Debian puts OpenCV's headers under /usr/include/opencv4.
        .target(
            name: "CDlibFace",
            cxxSettings: [.unsafeFlags(["-O2", "-std=c++17", "-DDLIB_NO_GUI_SUPPORT", "-I/usr/include/opencv4"])],
            linkerSettings: [
                .linkedLibrary("dlib"), .linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_imgproc"),
                .linkedLibrary("opencv_core"), .linkedLibrary("blas"), .linkedLibrary("lapack"),
                .linkedLibrary("jpeg"), .linkedLibrary("png"), .linkedLibrary("m"),
            ]
        ),
        // The int8 scan kernel of EmbeddingIndex and Gallery (AVX2 chosen at run time). Optimised in
        // debug builds too; -fno-math-errno lets the bound's square roots vectorise.
        .target(name: "CFaceKernels", cSettings: [.unsafeFlags(["-O2", "-fno-math-errno"])]),
        .target(name: "FaceKit", dependencies: ["CDlibFace", "CFaceKernels"]),
        .target(
            name: "App",
            dependencies: [
                "FaceKit",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Offline tools (`facestream embed`, `bench-engine`, `bench-gallery`, `bench-stream`): no Vapor
        // app, no database. WebSocketKit (already built for Vapor) is the streaming benchmark's client.
        .target(
            name: "FaceStreamTools",
            dependencies: [
                "FaceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "WebSocketKit", package: "websocket-kit"),
            ]
        ),
        .executableTarget(name: "facestream", dependencies: ["App", "FaceStreamTools"]),
        .testTarget(name: "FaceKitTests", dependencies: ["FaceKit", "CFaceKernels"]),
        .testTarget(name: "FaceStreamToolsTests", dependencies: ["FaceStreamTools"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
