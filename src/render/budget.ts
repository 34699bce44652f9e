/**
 * The resource budget of one render: what a single request may make the Worker fetch, decode and
 * load, checked before the work starts (counts) and while it runs (bytes, pixels). Images and PDFs
 * share the remote-image budget; every image render (built-in or user template, generate, preview,
 * og URL, batch item, queued job) shares the font budget. The README's "Resource budget per
 * request" table lists these with the limits that live beside the code they guard:
 *
 * | limit                               | value            | where it is enforced                                   |
 * |-------------------------------------|------------------|--------------------------------------------------------|
 * | distinct remote images per render   | 10               | user-templates/service.ts (image vars per template),   |
 * |                                     |                  | jobs/image-request.ts, jobs/pdf-request.ts (URLs)      |
 * | remote image bytes per render       | 10 MB            | render/remote-images.ts (while streaming)              |
 * | remote image pixels per render      | 8.4 MP           | render/remote-images.ts (from headers, before decode)  |
 * | fetches at once per render          | 4                | render/remote-images.ts fetchRemoteImages              |
 * | uploaded font faces per render      | 8                | jobs/image-request.ts, user-templates/service.ts       |
 * | uploaded font bytes per render      | 16 MB            | (the same; the faces' stored sizes, before any read)   |
 * | one remote image                    | 5 MB, 4.2 MP, 5 s| render/remote-images.ts, image-check.ts                |
 * | one font face (upload)              | 4 MB             | fonts/custom.ts; a family 12 MB, an account 20 faces   |
 * | markup                              | 256 KB           | user-templates/markup.ts MAX_HTML_BYTES                |
 * | elements per template               | 2000, depth 64   | user-templates/markup.ts                               |
 * | output pixels                       | 4,200,000        | jobs/image-request.ts, user-templates/compile.ts        |
 * | PDF pages / document pixels         | 50 / 45 MP       | jobs/pdf-request.ts                                    |
 */

/**
 * Remote images per render (image or PDF). The counts are of distinct URLs (the same URL in two
 * vars or on two pages is fetched once).
 *
 * - 10 images: a card has one to three (logo, avatar, background), a certificate two; ten leaves
 *   room for icons and is what PDFs allowed already. A user template may have no more image vars
 *   than this, so a request can never name more.
 * - 10 MB fetched: two images at the 5 MB per-image cap. What is fetched is held about three times
 *   over while a render runs (the bytes, the base64 data: URL satori draws, the engine's copy), so
 *   ~30 MB at worst, a quarter of the 128 MB an isolate has.
 * - 8.4 MP decoded: what the engines decode to RGBA (4 bytes a pixel) into WASM memories that
 *   never shrink — two pictures at the 4.2 MP per-image cap (image-check.ts MAX_INPUT_PIXELS),
 *   twice the most an output (4.2 MP) can show. Charged from each file's declared size before it
 *   is decoded, so a render that would pass it decodes nothing past it.
 * - 4 at a time: a render's fetches stay a short queue, not a burst of outbound connections (a
 *   Worker has six simultaneous open connections), and a budget crossed early stops the rest before
 *   they start.
 */
export const REMOTE_IMAGE_BUDGET = {
  maxImages: 10,
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 8_400_000,
  concurrency: 4,
} as const;

/**
 * Uploaded font faces one render loads (the request's `font_family` and every uploaded family a
 * user template names, together), counted from the faces' rows — their stored sizes are known
 * before any file is read.
 *
 * - 8 faces: two families of regular, italic, bold and bold italic.
 * - 16 MB: the isolate's font-file cache (fonts/custom.ts), so one render's faces fit in it
 *   together; it holds the largest family an account may upload (12 MB) and a face more. Without it
 *   an account's 20 faces of 4 MB each could be loaded by one request (80 MB).
 */
export const FONT_BUDGET = {
  maxFaces: 8,
  maxBytes: 16 * 1024 * 1024,
} as const;

export const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
