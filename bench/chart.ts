/** A small hand-written SVG chart: one panel per metric, bars grouped by scenario. */

export interface Panel {
  title: string;
  /** The most the axis shows; bars above are cut and labelled with their value. */
  max: number;
  unit: string;
  /** value[scenario][client] */
  values: number[][];
}

const COLORS = ['#d9480f', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f08c00', '#495057'];

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An SVG with the panels stacked, a legend of the clients on top. */
export function barChart(scenarios: string[], clients: string[], panels: Panel[]): string {
  const width = 960;
  const panelHeight = 220;
  const top = 56;
  const left = 56;
  const plotWidth = width - left - 16;
  const group = plotWidth / scenarios.length;
  const bar = Math.min(48, (group * 0.6) / clients.length, (group - 12) / clients.length);
  // Few bars have room for their values on top.
  const labelled = scenarios.length * clients.length <= 20;
  const height = top + panels.length * (panelHeight + 48);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  let legendX = left;
  clients.forEach((client, c) => {
    out.push(
      `<rect x="${legendX}" y="14" width="12" height="12" fill="${COLORS[c % COLORS.length]}"/>`,
    );
    out.push(`<text x="${legendX + 18}" y="24">${xml(client)}</text>`);
    legendX += 40 + client.length * 7;
  });
  panels.forEach((panel, p) => {
    const y0 = top + p * (panelHeight + 48);
    const base = y0 + panelHeight;
    out.push(`<text x="${left}" y="${y0 - 8}" font-weight="bold">${xml(panel.title)}</text>`);
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      const y = base - tick * panelHeight;
      out.push(
        `<line x1="${left}" x2="${width - 16}" y1="${y}" y2="${y}" stroke="#dee2e6"/>`,
        `<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#495057">${+(tick * panel.max).toFixed(2)}${panel.unit}</text>`,
      );
    }
    scenarios.forEach((scenario, s) => {
      const x0 = left + s * group + (group - bar * clients.length) / 2;
      clients.forEach((_client, c) => {
        const value = panel.values[s]?.[c] ?? 0;
        const h = (Math.min(value, panel.max) / panel.max) * panelHeight;
        const x = x0 + c * bar;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[c % COLORS.length]}"><title>${xml(`${clients[c]} · ${scenario}: ${value.toFixed(2)}${panel.unit}`)}</title></rect>`,
        );
        if (labelled && value <= panel.max) {
          out.push(
            `<text x="${(x + bar / 2).toFixed(1)}" y="${(base - h - 4).toFixed(1)}" text-anchor="middle" font-size="10">${value < 10 ? value.toFixed(2) : Math.round(value)}</text>`,
          );
        }
        if (value > panel.max) {
          out.push(
            `<text x="${(x + bar / 2).toFixed(1)}" y="${y0 - 2}" text-anchor="middle" font-size="9">${value < 10 ? value.toFixed(1) : Math.round(value)}</text>`,
          );
        }
      });
      out.push(
        `<text x="${(left + s * group + group / 2).toFixed(1)}" y="${base + 16}" text-anchor="middle">${xml(scenario)}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
