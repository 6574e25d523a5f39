import CCurl
import Testing

@Suite("libcurl module")
struct CCurlTests {
    @Test("curl_version reports a libcurl build")
    func versionString() throws {
        let version = try #require(curl_version())
        #expect(String(cString: version).hasPrefix("libcurl/"))
    }

    @Test("the typed setopt shim reaches curl_easy_setopt")
    func setoptThroughShim() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(kelas_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(kelas_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK)
        // An option id that does not exist must be refused, proving the call is not a no-op.
        #expect(kelas_easy_setopt_long(handle, CURLoption(rawValue: 99_999), 1) != CURLE_OK)
    }
}
