/* SIT PLADECO Vallenar: a base64 gzip of JSON, decoded with the browser's DecompressionStream.
 *
 * Inlined (not fetched) ahead of the scripts that need it: layers/js/initiatives.js and
 * layers/js/reference.js (layers.assets.page_script). Defined once per page. The bytes go
 * into the stream as a Response body, in the page's memory: a Blob's stream is registered
 * with the browser process and read back from it (16-28 ms more to decode the initiatives,
 * bench/README.md, 2026-12-02).
 */
(function () {
    "use strict";
    if (window.sitGzip) { return; }
    function bytes(b64) {
        var bin = atob(b64);
        var out = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i += 1) { out[i] = bin.charCodeAt(i); }
        return out;
    }
    window.sitGzip = {
        /* The bytes of a base64 string. */
        bytes: bytes,
        /* A promise of the JSON a base64 gzip holds. */
        json: function (b64) {
            var stream = new Response(bytes(b64)).body.pipeThrough(new DecompressionStream("gzip"));
            return new Response(stream).json();
        }
    };
})();
