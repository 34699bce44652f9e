/**
 * The SDK's request and response types, every one taken from the types `npm run openapi` generates
 * from the API's OpenAPI document (openapi.ts): the spec is the one source, nothing here restates
 * a field.
 */
import type { components, operations, webhooks } from './openapi.js';

type Schemas = components['schemas'];

/** The JSON body of an operation's answer with a given status. */
type JsonAnswer<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = operations[Op]['responses'][Status] extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : never;

export type GenerateImageRequest = Schemas['GenerateImageRequest'];
export type GeneratePdfRequest = Schemas['GeneratePdfRequest'];

export type ImageRender = Schemas['ImageRender'];
export type PdfRender = Schemas['PdfRender'];
/** What a sync generate resolves with: finished, with its `url` (a render in any state is `ImageRender`). */
export type CompletedImageRender = Schemas['CompletedImageRender'];
/** A sync generatePdf's answer: finished, with a signed `url` and its `expires_at`. */
export type CompletedPdfRender = Schemas['CompletedPdfRender'];
/** A render as `GET /api/v1/renders/{id}` answers: an image or a PDF, told apart by `type`. */
export type Render = Schemas['Render'];
/** The 202 answer of an `async: true` request: poll it with `renders.get` / `renders.wait`. */
export type RenderAccepted = Schemas['RenderAccepted'];
export type RenderError = Schemas['RenderError'];

export type TemplateSummary = Schemas['TemplateSummary'];
export type Template = Schemas['Template'];
export type TemplateList = Schemas['TemplateList'];
/** A var an account's template declares: its `type` (text, image, color, number), default and limits. */
export type TemplateVar = Schemas['TemplateVar'];
export type CreateTemplateRequest = Schemas['CreateTemplateRequest'];
export type UpdateTemplateRequest = Schemas['UpdateTemplateRequest'];

export type Usage = Schemas['Usage'];
export type Account = Schemas['Account'];

export type ApiKey = Schemas['ApiKey'];
/** A key as created: the only time its secret `key` is shown. */
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type CreateApiKeyRequest = Schemas['CreateApiKeyRequest'];
export type ApiKeyList = JsonAnswer<'keys.list', 200>;
export type UrlSigningKey = Schemas['UrlSigningKey'];
/** A URL-signing key as created: the only time its `secret` is shown. */
export type CreatedUrlSigningKey = Schemas['CreatedUrlSigningKey'];
export type CreateUrlSigningKeyRequest = Schemas['CreateUrlSigningKeyRequest'];
export type UrlSigningKeyList = JsonAnswer<'signing.listKeys', 200>;
export type Font = Schemas['Font'];
export type CreateFontRequest = Schemas['CreateFontRequest'];
export type FontList = JsonAnswer<'fonts.list', 200>;

export type WebhookEndpoint = Schemas['WebhookEndpoint'];
/** An endpoint as created: the only time (with rotation) its `secret` is shown. */
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type WebhookEndpointList = JsonAnswer<'webhooks.list', 200>;
export type CreateWebhookRequest = Schemas['CreateWebhookRequest'];
export type UpdateWebhookRequest = Schemas['UpdateWebhookRequest'];
export type RotateWebhookSecretRequest = Schemas['RotateWebhookSecretRequest'];
export type RotatedWebhookSecret = JsonAnswer<'webhooks.rotateSecret', 200>;
export type QueuedWebhookDelivery = Schemas['QueuedWebhookDelivery'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryPage = JsonAnswer<'webhooks.deliveries', 200>;
export type WebhookDeliveriesQuery = NonNullable<operations['webhooks.deliveries']['parameters']['query']>;

/** The RFC 9457 problem body of every error answer. */
export type Problem = Schemas['Problem'];
/** One field the server refused: `path` into the request (e.g. `vars.title`) and why. */
export type FieldError = NonNullable<Problem['errors']>[number];

type ProblemOf<Answer> = Answer extends { content: { 'application/problem+json': infer Body } } ? Body : never;
type CodeOf<Body> = Body extends { code?: infer Code } ? Exclude<Code, undefined> : never;
/** Every error `code` an operation declares in the spec (`validation_failed`, `render_not_found`, …). */
export type ApiErrorCode = {
  [Op in keyof operations]: {
    [Status in keyof operations[Op]['responses']]: CodeOf<ProblemOf<operations[Op]['responses'][Status]>>;
  }[keyof operations[Op]['responses']];
}[keyof operations];

/** Any body PicStream POSTs to a webhook endpoint (the spec's `webhooks`), told apart by `event`. */
export type WebhookEvent = {
  [Name in keyof webhooks]: webhooks[Name]['post'] extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never;
}[keyof webhooks];
/** The name of a webhook event, e.g. `render.complete`. */
export type WebhookEventName = WebhookEvent['event'];
