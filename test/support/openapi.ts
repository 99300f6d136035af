import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { apiRoutes } from '../../src/routes.js';

// Checks responses against the served OpenAPI document, so the spec cannot drift from the code.

type Obj = Record<string, unknown>;

interface Operation {
  template: string;
  responses: Record<string, Obj>;
}

const document = apiRoutes('http://x').document;
const paths = document.paths as Record<string, Record<string, Obj>>;
const components = document.components as Obj;

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose .default is the plugin.
addFormats.default(ajv);
ajv.addSchema({ components }, 'openapi');

const compiled = new Map<string, ValidateFunction>();

/** Rewrites document-local refs (#/components/...) to the registered 'openapi' schema. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi${v}` : rebase(v)]),
  );
}

/** Follows a `#/components/...` reference inside the document. */
export function resolveRef(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    node = node !== null && typeof node === 'object' ? (node as Obj)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node;
}

const deref = (node: Obj): Obj => (typeof node.$ref === 'string' ? (resolveRef(node.$ref) as Obj) : node);

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);

function findOperation(method: string, concretePath: string): Operation {
  const path = concretePath.split(/[?#]/)[0]!;
  for (const [template, item] of Object.entries(paths)) {
    if (!templateRegex(template).test(path)) continue;
    const op = item[method.toLowerCase()];
    if (!op) throw new Error(`${method.toUpperCase()} ${path}: method not documented for ${template}`);
    return { template, responses: op.responses as Record<string, Obj> };
  }
  throw new Error(`${method.toUpperCase()} ${path}: path not documented`);
}

const mediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

function format(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

/**
 * Throws unless `body` is a documented response of `method path` with `status`: the path,
 * method and status must be in the document, and JSON bodies must match the schema.
 */
export function validateResponse(method: string, path: string, status: number, body: unknown, contentType?: string): void {
  const { template, responses } = findOperation(method, path);
  const where = `${method.toUpperCase()} ${path} ${status}`;
  const documented = responses[String(status)];
  if (!documented) throw new Error(`${where}: status not documented for ${template} (has ${Object.keys(responses).join(', ')})`);
  const content = deref(documented).content as Record<string, { schema: Obj }> | undefined;
  if (!content) {
    if (body !== undefined && body !== null && body !== '') throw new Error(`${where}: documented without a body`);
    return;
  }
  const [type, media] = Object.entries(content)[0]!;
  if (contentType !== undefined && mediaType(contentType) !== type) {
    throw new Error(`${where}: content type ${contentType}, documented ${type}`);
  }
  if (type !== 'application/json') return;
  const schema = rebase(media.schema) as Obj;
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (!validate(body)) throw new Error(`${where}: body does not match ${template}\n${format(validate.errors)}\nbody: ${JSON.stringify(body)}`);
}
