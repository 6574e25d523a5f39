// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kelas",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kelas", targets: ["kelas"]),
        .library(name: "KelasCore", targets: ["KelasCore"]),
        .library(name: "KelasStore", targets: ["KelasStore"]),
        .library(name: "KelasDelivery", targets: ["KelasDelivery"]),
        .library(name: "KelasServer", targets: ["KelasServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libcurl, for the outbound webhook sinks. Only KelasDelivery imports it (see design.md).
        .systemLibrary(
            name: "CCurl",
            path: "Modules/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "KelasCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            // The message catalogs (Indonesian and English), read by `Localizer`.
            resources: [.copy("Resources/Localization")]
        ),
        // Sets SQLite's threading mode before first use (`sqlite3_config` is variadic: Swift cannot call it).
        .target(
            name: "CKelasSQLite",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // The C library's allocator settings (`mallopt` lives in <malloc.h>, which Swift does not import).
        .target(name: "CKelasSystem"),
        .target(
            name: "KelasStore",
            dependencies: ["KelasCore", "CKelasSQLite", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        // Outbound delivery: sinks, signing, retries, pacing, the dispatcher. The only target that imports CCurl.
        .target(
            name: "KelasDelivery",
            dependencies: ["KelasCore", "KelasStore", "CCurl", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // `kelas serve`: inbound webhooks, the admin dashboard, metrics (Hummingbird).
        .target(
            name: "KelasServer",
            dependencies: [
                "KelasCore", "KelasStore", "KelasDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "kelas",
            dependencies: [
                "KelasCore",
                "KelasStore",
                "KelasDelivery",
                "KelasServer",
                "CKelasSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KelasCoreTests",
            dependencies: ["KelasCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "KelasStoreTests", dependencies: ["KelasStore", "KelasCore"]),
        .testTarget(name: "CCurlTests", dependencies: ["CCurl"]),
        .testTarget(name: "KelasDeliveryTests", dependencies: ["KelasDelivery", "KelasStore", "KelasCore"]),
        .testTarget(name: "KelasServerTests", dependencies: [
            "KelasServer", "KelasStore", "KelasCore", "KelasDelivery",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The golden files are read through #filePath, not as bundle resources.
        .testTarget(name: "KelasCLITests", dependencies: ["kelas", "KelasCore", "KelasStore", "CKelasSystem", .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (scripts/fuzz.sh): only when KELAS_FUZZ is set, built with -sanitize=fuzzer into .build-fuzz.
if Context.environment["KELAS_FUZZ"] != nil {
    for name in ["FuzzChatExport", "FuzzFiles", "FuzzCloudPayload", "FuzzKelasEvents"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["KelasCore"], path: "Fuzz/\(name)"))
    }
}
