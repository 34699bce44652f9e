/** The SDK's types from an OpenAPI document, as `npm run openapi` writes sdk/src/openapi.ts. */
export function specTypes(doc: unknown): Promise<string>;
