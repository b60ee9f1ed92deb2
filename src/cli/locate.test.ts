import { describe, expect, it } from 'vitest';
import { locateInJson, locateInSource, parseIssuePath, positionOf } from './locate.js';

describe('issue paths', () => {
  it('splits names, indexes and quoted names', () => {
    expect(parseIssuePath('groups["LLM API"].entries.TIMEOUT.status')).toEqual([
      'groups',
      'LLM API',
      'entries',
      'TIMEOUT',
      'status',
    ]);
    expect(parseIssuePath('entries[12].details.x')).toEqual(['entries', 12, 'details', 'x']);
    expect(parseIssuePath('groups.Read.entries["1001"]')).toEqual([
      'groups',
      'Read',
      'entries',
      '1001',
    ]);
  });

  it('gives 1-based lines and columns', () => {
    expect(positionOf('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(positionOf('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('locateInJson', () => {
  const text =
    '{\n  "entries": [\n    { "code": "a" },\n    {\n      "code": "b",\n      "status": 9\n    }\n  ]\n}\n';
  it('points at the key of the member on the path', () => {
    expect(locateInJson(text, 'entries[1].status')).toEqual({ line: 6, column: 7 });
    expect(locateInJson(text, 'entries[0]')).toEqual({ line: 3, column: 5 });
  });

  it('falls back to the deepest part of the path that exists', () => {
    expect(locateInJson(text, 'entries[1].fix')).toEqual({ line: 4, column: 5 });
    expect(locateInJson(text, 'nowhere')).toEqual({ line: 1, column: 1 });
    expect(locateInJson('  {}', '$')).toEqual({ line: 1, column: 3 });
  });
});

describe('locateInSource', () => {
  const source = `export default defineCatalog({
  name: 'x',
  groups: {
    'LLM API': {
      entries: {
        TIMEOUT: { name: 'T', status: 504 },
      },
    },
    Other: {
      entries: {
        1001: {
          status: 42,
        },
      },
    },
  },
});
`;
  it('follows the keys of a definition in order', () => {
    expect(locateInSource(source, 'groups["LLM API"].entries.TIMEOUT.status')).toEqual({
      line: 6,
      column: 31,
    });
    expect(locateInSource(source, 'groups.Other.entries["1001"].status')).toEqual({
      line: 12,
      column: 11,
    });
  });

  it('stops at the last key it finds, and finds nothing without a first key', () => {
    expect(locateInSource(source, 'groups.Other.entries["1001"].fix')).toEqual({
      line: 11,
      column: 9,
    });
    expect(locateInSource(source, 'missing.status')).toBeUndefined();
  });
});
