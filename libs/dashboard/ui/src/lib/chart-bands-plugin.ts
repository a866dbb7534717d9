import type { Chart, Plugin } from 'chart.js';

import type { ChartBand, ChartMarker } from './time-axis';

export interface BandsSource {
  bands(): readonly ChartBand[];
  markers(): readonly ChartMarker[];
  colors(): { text: string; band: string; note: string };
}

/**
 * Draws shaded bands (gaps in the data, annotated stretches) behind the line and marker lines
 * over it, on the chart's time scale. One instance per chart: it reads what to draw from
 * `source` at every draw, so new bands need only an `update('none')`.
 */
export function bandsPlugin(source: BandsSource): Plugin<'line'> {
  return {
    id: 'rtBands',
    beforeDatasetsDraw(chart) {
      const area = chart.chartArea;
      const x = chart.scales['x'];
      if (!area || !x) return;
      const { ctx } = chart;
      const colors = source.colors();
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      for (const band of source.bands()) {
        const left = Math.max(area.left, x.getPixelForValue(band.from));
        const right = Math.min(area.right, x.getPixelForValue(band.to));
        if (right <= left) continue;
        ctx.fillStyle = band.kind === 'gap' ? colors.band : colors.note;
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        if (band.label) drawLabel(chart, band.label, (left + right) / 2, right - left, colors.text);
      }
      ctx.restore();
    },
    afterDatasetsDraw(chart) {
      const area = chart.chartArea;
      const x = chart.scales['x'];
      const markers = source.markers();
      if (!area || !x || markers.length === 0) return;
      const { ctx } = chart;
      const colors = source.colors();
      ctx.save();
      ctx.strokeStyle = colors.text;
      ctx.setLineDash([3, 3]);
      for (const m of markers) {
        const px = x.getPixelForValue(m.t);
        if (px < area.left || px > area.right) continue;
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        drawLabel(chart, m.label, px, Infinity, colors.text);
      }
      ctx.restore();
    },
  };
}

function drawLabel(chart: Chart, text: string, centre: number, width: number, color: string): void {
  const { ctx, chartArea } = chart;
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  const w = ctx.measureText(text).width;
  if (w + 8 <= width) {
    ctx.fillStyle = color;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(text, centre, chartArea.top + 2);
  }
  ctx.restore();
}
