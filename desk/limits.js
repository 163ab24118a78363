// The bounds the server checks, read from its own contract (`/openapi.json`) rather than copied
// here: each bounded field shows its count as the editor types, and the desk refuses to send
// what the server would refuse, instead of cutting it.

let contract = null;

/** Loads the contract once; until it arrives (or if it cannot), no field shows a bound. */
export function loadLimits() {
  if (!contract) {
    contract = fetch('/openapi.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((doc) => doc?.components?.schemas || {})
      .catch(() => ({}));
  }
  return contract;
}

function property(schemas, schema, name) {
  return schemas[schema]?.properties?.[name];
}

/** The `maxLength` of `name` in the schema `schema` (`ArticleInput`, `MediaInput`, …). */
export async function maxLength(schema, name) {
  const schemas = await loadLimits();
  return property(schemas, schema, name)?.maxLength ?? null;
}

/** The `maxLength` of a body block's field (`paragraph`, `html`). */
export async function blockLimit(type, name) {
  const schemas = await loadLimits();
  const variant = (schemas.Block?.oneOf || []).find((v) => v.properties?.type?.enum?.[0] === type);
  return variant?.properties?.[name]?.maxLength ?? null;
}
