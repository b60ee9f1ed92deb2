import { Catalog, CatalogDefinitionError, catalogFromJSON } from '../core/catalog.js';
import type { Code, Entry } from '../core/types.js';

/** One finding of {@link lintCatalog}. */
export interface LintIssue {
  /** `error` fails `faultline lint`; `warning` is advice. */
  readonly severity: 'error' | 'warning';
  readonly rule:
    | 'definition'
    | 'missing-meaning'
    | 'missing-fix'
    | 'no-type-base'
    | 'closed-without-version'
    | 'empty-message'
    | 'duplicate-name';
  /** Where, as a path into the catalog's JSON document (`entries[3].fix`). */
  readonly path: string;
  readonly code?: Code;
  readonly message: string;
}

function show(code: Code): string {
  return typeof code === 'number' ? String(code) : JSON.stringify(code);
}

/**
 * Checks a catalog: the definition-time checks (for a JSON document or anything not yet a
 * {@link Catalog}), then docs completeness — every entry has a meaning (in each of its
 * groups) and every 4xx entry says how to fix it — and some advice as warnings.
 *
 * Never throws: every problem comes back as a {@link LintIssue}.
 *
 * @example
 * ```ts
 * const errors = lintCatalog(catalog).filter((issue) => issue.severity === 'error');
 * ```
 */
export function lintCatalog(input: Catalog<any> | unknown): LintIssue[] {
  let catalog: Catalog<any>;
  if (input instanceof Catalog) {
    catalog = input;
  } else {
    try {
      catalog = catalogFromJSON(input);
    } catch (error) {
      if (error instanceof CatalogDefinitionError) {
        return error.issues.map((issue) => ({
          severity: 'error',
          rule: 'definition',
          path: issue.path,
          message: issue.message,
        }));
      }
      return [{ severity: 'error', rule: 'definition', path: '$', message: 'could not be read' }];
    }
  }
  const issues: LintIssue[] = [];
  const entries = catalog.entries as readonly Entry[];
  const titles = new Map(catalog.groups.map((group) => [group.id, group.title]));
  for (const [i, entry] of entries.entries()) {
    const path = `entries[${i}]`;
    const c = show(entry.code);
    const missing = entry.groups.filter((group) => !entry.meaning && !entry.groupMeanings[group]);
    if (!entry.meaning?.trim() && (entry.groups.length === 0 || missing.length > 0)) {
      issues.push({
        severity: 'error',
        rule: 'missing-meaning',
        path: `${path}.meaning`,
        code: entry.code,
        message:
          missing.length > 0 && missing.length < entry.groups.length
            ? `code ${c} has no meaning in ${missing.map((g) => `"${titles.get(g) ?? g}"`).join(', ')}`
            : `code ${c} has no meaning: say what the error means`,
      });
    }
    if (entry.status >= 400 && entry.status < 500 && !entry.fix?.trim()) {
      issues.push({
        severity: 'error',
        rule: 'missing-fix',
        path: `${path}.fix`,
        code: entry.code,
        message: `code ${c} is a client error (${entry.status}) without a fix: say how a caller fixes it`,
      });
    }
    if (entry.message.trim() === '') {
      issues.push({
        severity: 'warning',
        rule: 'empty-message',
        path: `${path}.message`,
        code: entry.code,
        message: `code ${c} has an empty default message`,
      });
    }
  }
  const untyped = entries.filter((entry) => entry.type === 'about:blank');
  if (untyped.length > 0) {
    issues.push({
      severity: 'warning',
      rule: 'no-type-base',
      path: 'typeBase',
      message: `${untyped.length} code(s) have no problem type URI (about:blank); set typeBase to the URL of the error reference so each type links to its code`,
    });
  }
  if (catalog.closed && catalog.version === undefined) {
    issues.push({
      severity: 'warning',
      rule: 'closed-without-version',
      path: 'version',
      message: 'the catalog is closed but has no version; a new code needs a version to bump',
    });
  }
  const seen = new Map<string, Code>();
  for (const [i, entry] of entries.entries()) {
    for (const group of entry.groups.length > 0 ? entry.groups : ['']) {
      const slot = `${group}\u0000${entry.name}`;
      const first = seen.get(slot);
      if (first !== undefined && first !== entry.code) {
        issues.push({
          severity: 'warning',
          rule: 'duplicate-name',
          path: `entries[${i}].name`,
          code: entry.code,
          message: `codes ${show(first)} and ${show(entry.code)} share the name ${entry.name}${group ? ` in "${titles.get(group) ?? group}"` : ''}`,
        });
      } else {
        seen.set(slot, entry.code);
      }
    }
  }
  return issues;
}
