import { describe, expect, it } from 'vitest';
import { catalogFromJSON } from '../../core/catalog.js';
import { CLIENT_ENTRIES } from '../codes.js';
import { clientCatalog } from './catalog.js';

describe('the client catalog', () => {
  it('documents every code the client uses, with the same semantics', () => {
    expect(clientCatalog.codes.sort()).toEqual(Object.keys(CLIENT_ENTRIES).sort());
    for (const entry of clientCatalog.entries) {
      expect(CLIENT_ENTRIES[entry.code], entry.code).toEqual({
        ...entry,
        meaning: undefined,
        fix: undefined,
      });
    }
  });

  it('gives every entry a meaning and a fix, and survives the JSON round trip', () => {
    for (const entry of clientCatalog.entries) {
      expect(entry.meaning, entry.code).toBeTruthy();
      expect(entry.fix, entry.code).toBeTruthy();
    }
    expect(catalogFromJSON(clientCatalog.toJSON()).entries).toEqual(clientCatalog.entries);
  });
});
