/** 24-hour chart: reports per step against the usual level (baseline), as inline SVG. */
import type { StatusSeries } from '../protocol.ts';
import { useLocale } from './i18n.ts';

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

/** Minutes each chart point sums, for the scale label. */
export function minutesPerPoint(series: StatusSeries, buckets = 96): number {
  const steps = Math.max(1, Math.round(DAY_MS / Math.max(1, series.stepMs)));
  const points = Math.min(steps, series.reports.length);
  return Math.round((Math.max(1, Math.ceil(points / buckets)) * series.stepMs) / 60_000);
}

function area(values: number[], max: number): string {
  const line = path(values, max);
  return line ? `${line} L${W},${H} L0,${H} Z` : '';
}

export function Chart({ series }: { series: StatusSeries }) {
  const { t } = useLocale();
  const { reports, baseline } = chartPoints(series);
  const max = Math.max(1, ...reports, ...baseline);
  return (
    <figure class="chart" data-testid="chart">
      {/* Time runs left to right in every language, so the axis below keeps that direction too. */}
      <div class="plot" dir="ltr">
        <span class="peak" data-testid="chart-peak">
          {t('chartPeak', [Math.max(0, ...reports), minutesPerPoint(series)])}
        </span>
        <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} preserveAspectRatio="none" role="img" aria-label={t('chartHeading')}>
          <line x1="0" y1={H - 0.5} x2={W} y2={H - 0.5} stroke="#9AA0A6" stroke-width="1" />
          <line x1={W / 2} y1="0" x2={W / 2} y2={H} stroke="#9AA0A6" stroke-width="0.5" stroke-dasharray="2 3" />
          <path d={area(reports, max)} fill="rgba(198,40,40,.12)" stroke="none" />
          <path d={path(baseline, max)} fill="none" stroke="#6B7280" stroke-width="1.5" stroke-dasharray="4 3" data-testid="chart-baseline" />
          <path d={path(reports, max)} fill="none" stroke="#C62828" stroke-width="1.8" data-testid="chart-reports" />
        </svg>
        <div class="axis" data-testid="chart-axis">
          <span>{t('chartHoursAgo', [24])}</span>
          <span>{t('chartHoursAgo', [12])}</span>
          <span>{t('chartNow')}</span>
        </div>
      </div>
      <figcaption>
        <span class="legend reports">{t('chartReports')}</span>
        <span class="legend baseline">{t('chartBaseline')}</span>
      </figcaption>
    </figure>
  );
}
