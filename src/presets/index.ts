import { discord } from './discord.js';
import { eventStore } from './event-store.js';
import { jan } from './jan.js';
import { s2 } from './s2.js';
import { sequin } from './sequin.js';

export { discord, eventStore, jan, s2, sequin };

/**
 * Every preset catalog by export name. Each one's JSON document is also published as
 * `faultline/presets/<catalog.name>.json`.
 *
 * @example
 * ```ts
 * import { presets } from 'faultline/presets';
 * for (const catalog of Object.values(presets)) console.log(catalog.name, catalog.codes.length);
 * ```
 */
export const presets = { s2, sequin, eventStore, discord, jan } as const;
