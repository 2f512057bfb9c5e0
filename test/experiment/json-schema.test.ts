import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { experimentJsonSchema } from '../../bench/experiment/experiment.js';
import { katas } from '../../bench/katas/index.js';
import { serveJsonSchema } from '../../bench/serve/config-file.js';

const file = fileURLToPath(new URL('../../schema/experiment.schema.json', import.meta.url));
const generated = `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;

describe('the JSON Schema shipped for editors', () => {
  it('is the one generated from the zod schemas (UPDATE_SCHEMA=1 rewrites it)', () => {
    if (process.env['UPDATE_SCHEMA'] === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });

  it('for ringlab serve --config files too', () => {
    const serveFile = fileURLToPath(new URL('../../schema/serve.schema.json', import.meta.url));
    const serve = `${JSON.stringify(serveJsonSchema(), null, 2)}\n`;
    if (process.env['UPDATE_SCHEMA'] === '1') writeFileSync(serveFile, serve);
    expect(readFileSync(serveFile, 'utf8')).toBe(serve);
    const properties = (JSON.parse(serve) as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(properties)).toContain('filters');
  });

  it('has one branch per kata, each naming its kata', () => {
    const schema = JSON.parse(generated) as {
      anyOf?: { properties: { kata: { const: string } } }[];
    };
    const branches = schema.anyOf ?? [
      schema as unknown as { properties: { kata: { const: string } } },
    ];
    expect(branches.map((branch) => branch.properties.kata.const)).toEqual(
      katas.map((kata) => kata.name),
    );
  });
});
