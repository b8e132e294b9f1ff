/** 24-hour chart: reports per step against the usual level (baseline), as inline SVG. */
import type { StatusSeries } from '../shared/protocol.ts';
import { t } from './i18n.ts';

const DAY_MS = 24 * 60 * 60_000;
const W = 300;
const H = 60;

/** The last 24 hours of a series, summed into at most `buckets` points so the path stays small. */
export function chartPoints(series: StatusSeries, buckets = 96): { reports: number[]; baseline: number[] } {
  const steps = Math.max(1, Math.round(DAY_MS / Math.max(1, series.stepMs)));
  const reports = series.reports.slice(-steps);
  const baseline = series.baseline.slice(-steps);
  const per = Math.max(1, Math.ceil(reports.length / buckets));
  const sum = (xs: number[]) => {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i += per) out.push(xs.slice(i, i + per).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0));
    return out;
  };
  return { reports: sum(reports), baseline: sum(baseline) };
}

function path(values: number[], max: number): string {
  if (values.length === 0) return '';
  const dx = values.length > 1 ? W / (values.length - 1) : 0;
  return values.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * dx).toFixed(1)},${(H - (v / max) * (H - 2) - 1).toFixed(1)}`).join(' ');
}

export function Chart({ series }: { series: StatusSeries }) {
  const { reports, baseline } = chartPoints(series);
  const max = Math.max(1, ...reports, ...baseline);
  return (
    <figure class="chart" data-testid="chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={t('chartHeading')}>
        <path d={path(baseline, max)} fill="none" stroke="#9AA0A6" stroke-width="1.5" stroke-dasharray="4 3" data-testid="chart-baseline" />
        <path d={path(reports, max)} fill="none" stroke="#C62828" stroke-width="1.8" data-testid="chart-reports" />
      </svg>
      <figcaption>
        <span class="legend reports">{t('chartReports')}</span> <span class="legend baseline">{t('chartBaseline')}</span>
      </figcaption>
    </figure>
  );
}
