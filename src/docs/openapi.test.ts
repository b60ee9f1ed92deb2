import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { typecheck } from '../../test/helpers/typecheck.js';
import { formats } from '../core/wire/index.js';
import { presets } from '../presets/index.js';
import type { WireFormatId } from './examples.js';
import { exampleResponse } from './examples.js';
import { mergeOpenApi, OpenApiMergeError, toOpenApi } from './openapi.js';

const formatIds = Object.keys(formats) as WireFormatId[];
const catalogs = Object.values(presets);

async function validateOpenApi(doc: unknown): Promise<{ valid: boolean; errors: unknown }> {
  const result = await new Validator().validate(structuredClone(doc) as Record<string, unknown>);
  return { valid: result.valid, errors: result.errors };
}

describe('toOpenApi', () => {
  for (const catalog of catalogs) {
    it(`${catalog.name}: validates as OpenAPI 3.1 in every wire format`, async () => {
      for (const format of formatIds) {
        const doc = toOpenApi(catalog, { format });
        expect(doc.openapi).toBe('3.1.0');
        const result = await validateOpenApi(doc);
        expect(result.errors, `${catalog.name} as ${format}`).toBeUndefined();
        expect(result.valid).toBe(true);
      }
    });
  }

  it('describes every encoded body: each example validates against its response schema', () => {
    for (const catalog of catalogs) {
      for (const format of formatIds) {
        const doc = toOpenApi(catalog, { format });
        const ajv = new Ajv2020({ strict: false, allErrors: true });
        addFormats.default(ajv);
        ajv.addSchema(doc as object, 'doc');
        const prefix = Object.keys(doc.components!.schemas!)[0]!.replace(/Error$/, '');
        const validators = new Map<string, ReturnType<typeof ajv.compile>>();
        for (const entry of catalog.entries) {
          const name = `${prefix}Error${entry.status}`;
          const response = doc.components!.responses![name] as any;
          const mediaType = Object.keys(response.content)[0]!;
          let validate = validators.get(name);
          if (!validate) {
            validate = ajv.compile({
              $ref: `doc#/components/responses/${name}/content/${mediaType.replace('/', '~1')}/schema`,
            });
            validators.set(name, validate);
          }
          const body = JSON.parse(exampleResponse(catalog, entry, format).body);
          const ok = validate(body);
          expect(validate.errors ?? [], `${catalog.name} ${format} ${entry.code}`).toEqual([]);
          expect(ok).toBe(true);
        }
      }
    }
  });

  it('is checked by a validator that rejects a broken document', async () => {
    const doc = toOpenApi(presets.s2) as any;
    delete doc.components.responses.S2Error400.description;
    expect((await validateOpenApi(doc)).valid).toBe(false);
    const content = toOpenApi(presets.s2) as any;
    content.components.responses.S2Error400.content = 'application/json';
    expect((await validateOpenApi(content)).valid).toBe(false);
  });

  it('lists the codes of each status in an extension, with an example each', () => {
    const doc = toOpenApi(presets.s2, { format: 's2' });
    const response = doc.components!.responses!.S2Error412 as any;
    expect(response['x-faultline-codes'].map((c: any) => c.code)).toEqual([
      'fencing_token_mismatch',
      'seq_num_mismatch',
    ]);
    const media = response.content['application/json'];
    expect(media.schema.anyOf).toEqual([
      { $ref: '#/components/schemas/S2Error_fencing_token_mismatch' },
      { $ref: '#/components/schemas/S2Error_seq_num_mismatch' },
    ]);
    expect(media.examples.seq_num_mismatch.value).toEqual({ seq_num_mismatch: 42 });
    expect(doc.components!.schemas!.S2Details_range_not_satisfiable).toMatchObject({
      type: 'object',
      required: ['tail'],
    });
    const limited = doc.components!.responses!.S2Error429 as any;
    expect(Object.keys(limited.headers)).toEqual([
      'X-Request-Id',
      'Retry-After',
      'RateLimit',
      'RateLimit-Policy',
    ]);
    expect(doc.components!.headers!['Retry-After']).toBeDefined();
  });

  it('uses the problem+json media type by default', () => {
    const doc = toOpenApi(presets.eventStore);
    const response = doc.components!.responses!.EventStoreError409 as any;
    expect(Object.keys(response.content)).toEqual(['application/problem+json']);
    expect(response['x-faultline-codes'].map((c: any) => c.code)).toContain(2003);
  });

  it('generates TypeScript with openapi-typescript that compiles', async () => {
    for (const [catalog, format] of [
      [presets.s2, 's2'],
      [presets.jan, 'jan'],
      [presets.discord, 'problem'],
    ] as const) {
      const doc = toOpenApi(catalog, { format });
      const source = astToString(await openapiTS(doc as never));
      const schemaNames = Object.keys(doc.components!.schemas!);
      for (const name of schemaNames) expect(source).toContain(name);
      const usage =
        catalog === presets.s2
          ? `import type { components } from './api.js';
type Body = components['schemas']['S2Error_seq_num_mismatch'];
const body: Body = { seq_num_mismatch: 3 };
// @ts-expect-error the field is a number
const wrong: Body = { seq_num_mismatch: 'x' };
void body; void wrong;
`
          : `import type { components } from './api.js';
type Responses = keyof components['responses'];
const name: Responses = ${JSON.stringify(Object.keys(doc.components!.responses!)[0])};
void name;
`;
      expect(typecheck({ 'api.ts': source, 'usage.ts': usage }), catalog.name).toEqual([]);
    }
  });
});

describe('mergeOpenApi', () => {
  const existing = {
    openapi: '3.1.0',
    info: { title: 'Orders', version: '2.0.0' },
    paths: {
      '/orders': {
        get: {
          responses: {
            '200': { description: 'ok' },
            '404': { $ref: '#/components/responses/S2Error404' },
          },
        },
      },
    },
    components: {
      schemas: { Order: { type: 'object' }, S2Error: { type: 'string' } },
    },
  };

  it('adds the components and keeps the document’s own parts', async () => {
    const merged = mergeOpenApi(existing, toOpenApi(presets.s2));
    expect(merged.info).toEqual(existing.info);
    expect(merged.paths).toEqual(existing.paths);
    expect(merged.components!.schemas!.Order).toEqual({ type: 'object' });
    expect(merged.components!.responses!.S2Error404).toBeDefined();
    expect(merged.components!.schemas!.S2Error).not.toEqual({ type: 'string' });
    expect(existing.components.schemas.S2Error).toEqual({ type: 'string' });
    expect((await validateOpenApi(merged)).valid).toBe(true);
  });

  it('keeps theirs or fails on a conflict when asked', () => {
    const theirs = mergeOpenApi(existing, toOpenApi(presets.s2), 'theirs');
    expect(theirs.components!.schemas!.S2Error).toEqual({ type: 'string' });
    expect(() => mergeOpenApi(existing, toOpenApi(presets.s2), 'error')).toThrow(
      expect.objectContaining({ name: 'OpenApiMergeError', conflicts: ['schemas/S2Error'] }),
    );
  });

  it('refuses a document that is not OpenAPI 3.1', () => {
    expect(() => mergeOpenApi({ openapi: '3.0.3', info: {} }, toOpenApi(presets.s2))).toThrow(
      OpenApiMergeError,
    );
    expect(() => mergeOpenApi([], toOpenApi(presets.s2))).toThrow(OpenApiMergeError);
    expect(() => mergeOpenApi(null, toOpenApi(presets.s2))).toThrow(/not a JSON object/);
  });
});
