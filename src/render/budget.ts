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
 * |                                     |                  | renders/build-job.ts, renders/build-pdf-job.ts (URLs) |
 * | remote image bytes per render       | 10 MB            | render/images/remote-images.ts (while streaming)              |
 * | remote image pixels per render      | 4.2 MP (PDF 8.4) | render/images/remote-images.ts (from headers, before decode)  |
 * | satori: output + picture pixels     | 6.3 MP           | render/index.ts (after the headers, before any decode) |
 * | fetches at once per render          | 4                | render/images/remote-images.ts fetchRemoteImages              |
 * | uploaded font faces per render      | 8                | renders/build-job.ts, user-templates/service.ts       |
 * | uploaded font bytes per render      | 16 MB            | (the same; the faces' stored sizes, before any read)   |
 * | one remote image                    | 5 MB, 4.2 MP, 5 s| render/images/remote-images.ts, image-check.ts                |
 * | one font face (upload)              | 4 MB             | fonts/custom.ts; a family 12 MB, an account 20 faces   |
 * | markup                              | 256 KB           | user-templates/markup.ts MAX_HTML_BYTES                |
 * | elements per template               | 2000, depth 64   | user-templates/markup.ts                               |
 * | output pixels                       | 4,200,000        | renders/build-job.ts, user-templates/compile.ts        |
 * | PDF pages / document pixels         | 50 / 45 MP       | renders/build-pdf-job.ts                               |
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
 * - 4.2 MP decoded for an image render: what the engines decode to RGBA (4 bytes a pixel) in
 *   their WASM memories — as many pixels as the largest output (4.2 MP) shows, so one full-size
 *   picture or several smaller ones. Measured on fresh instances at a 2048² output: takumi peaks
 *   at ~44 MB with 4.2 MP of pictures and ~69 MB with 8.4 MP (stacked, one translucent), which
 *   with yoga, the caches and the JavaScript copies of the pictures and the output would not
 *   leave an isolate its headroom (README "Memory"). A PDF (pdf-lib embeds in JavaScript, no
 *   WASM engine) keeps 8.4 MP: a report with ten product photos. Charged from each file's
 *   declared size before it is decoded, so a render that would pass it decodes nothing past it.
 * - 4 at a time: a render's fetches stay a short queue, not a burst of outbound connections (a
 *   Worker has six simultaneous open connections), and a budget crossed early stops the rest before
 *   they start.
 */
export const REMOTE_IMAGE_BUDGET = {
  maxImages: 10,
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 4_200_000,
  concurrency: 4,
} as const;

/** A PDF's remote images: the same, with 8.4 MP decoded (see above). */
export const PDF_REMOTE_IMAGE_BUDGET = { ...REMOTE_IMAGE_BUDGET, maxPixels: 8_400_000 } as const;

/**
 * What the satori engine may draw: its output and its pictures together, in pixels. resvg needs
 * about 8 bytes an output pixel and 12 a picture pixel (measured: 98 MB for a 2048² card with one
 * 2048² picture across it, 57 MB with a 1024² one), so 6.3 MP keeps it near 60 MB: a 1200×630
 * card at 2× (3 MP) with 3.3 MP of pictures, or a 2048² card with 2.1 MP. takumi needs no such
 * cap within the image budget. The error names takumi as the way past it.
 */
export const SATORI_WORK_PIXELS = 6_300_000;

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
