/**
 * npm run bench:pacing — planned, probabilistic pacing (src/engine/pacing: forecast → plan → throttle) on a
 * virtual clock: 14 days of one slot (daily and weekly curve, ±20 % hourly noise, a 2× and a 0.5× day the forecast
 * does not know), 100,000 listeners with skewed activity, 20 campaigns with overlapping audiences, priorities,
 * even / frontloaded / asap pacing, daily caps and one total goal over a ten-day flight (see bench/pacing/world.ts).
 * The forecast starts from the default curve on day 1 and learns from every simulated hour. The same world, request
 * by request, under the linear allowance (evenPacingAllowance as an on/off counter check) is the reference.
 * Definitions: feasible campaign-day = eligible requests that day ≥ 1.25 × goal; daily_error =
 * |delivered − goal|/goal on feasible days; hourly_tv = ½ Σ_h |delivered_h/delivered − plan_h/plan| on even
 * campaign-days, against the plan made at the day's start (the allowance: its straight line, goal/24 an hour);
 * overshoot = (delivered − goal)/goal over every campaign-day and flight; shock_daily_error = daily_error on the shock
 * days; underdelivery_feasible = max(0, goal − delivered)/goal on feasible days. p95 = nearest rank.
 * Writes bench/results/pacing.svg (one even campaign's plan against delivery, hourly, over two days).
 * Prints last: pacing-bench: days=14 campaigns=20 daily_error_p95=… hourly_tv_p95=… overshoot_max=… shock_daily_error_p95=… underdelivery_feasible_p95=…
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng } from '../src/engine/util/rng';
import { hourlyChartSvg } from './pacing/chart';
import { isFeasible, measure, metricsLine, totalVariation, type PacingMetrics } from './pacing/metrics';
import { simulate, type CampaignDay, type SimResult, type SimWorld } from './pacing/simulate';
import { CAMPAIGNS, DAYS, makeListeners, minuteRates, servingShare, SHOCKS } from './pacing/world';

const SEED = Number(process.env.PACING_BENCH_SEED ?? 20261130);
const CHART_CAMPAIGN = 'c08';
const CHART_FIRST_DAY = 7;

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function campaignTable(planned: SimResult, old: SimResult): string {
  const rows = ['campaign prio mode          cap  goal/day  elig/goal  capped  err_mean(new old)  tv_mean(new old)  short_days(new old)'];
  for (const c of CAMPAIGNS) {
    const mine = (r: SimResult) => r.days.filter((d) => d.campaign === c);
    const err = (ds: CampaignDay[]) => mean(ds.filter(isFeasible).map((d) => Math.abs(d.delivered - d.goal) / d.goal));
    const tv = (ds: CampaignDay[]) => mean(ds.filter((d) => d.delivered > 0).map((d) => totalVariation(d.deliveredByHour, d.plannedByHour)));
    const short = (ds: CampaignDay[]) => ds.filter((d) => isFeasible(d) && d.delivered < 0.98 * d.goal).length;
    const a = mine(planned);
    const b = mine(old);
    const sum = (ds: CampaignDay[], f: (d: CampaignDay) => number) => ds.reduce((x, d) => x + f(d), 0);
    rows.push(
      [
        c.id.padEnd(8),
        String(c.priority).padStart(4),
        (c.mode + (c.flight ? '/flight' : '')).padEnd(12),
        String(c.dailyCap ?? '-').padStart(4),
        String(Math.round(mean(a.map((d) => d.goal)))).padStart(9),
        mean(a.map((d) => d.eligible / Math.max(1, d.goal))).toFixed(2).padStart(10),
        `${((100 * sum(a, (d) => d.capped)) / Math.max(1, sum(a, (d) => d.accepted))).toFixed(1)}%`.padStart(7),
        `${err(a).toFixed(4)} ${err(b).toFixed(4)}`.padStart(18),
        `${tv(a).toFixed(3)} ${tv(b).toFixed(3)}`.padStart(17),
        `${short(a)} ${short(b)}`.padStart(20),
      ].join(' '),
    );
  }
  return rows.join('\n');
}

function causes(m: PacingMetrics): string {
  return Object.entries(m.shortByCause)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function writeChart(planned: SimResult, old: SimResult): string {
  const pick = (r: SimResult) => r.days.filter((d) => d.campaign.id === CHART_CAMPAIGN && d.day >= CHART_FIRST_DAY && d.day < CHART_FIRST_DAY + 2);
  const a = pick(planned);
  const b = pick(old);
  const labels = a.map((d) => `day ${d.day + 1}${SHOCKS.has(d.day) ? ` (traffic ×${SHOCKS.get(d.day)}, unforecast)` : ''}`);
  const svg = hourlyChartSvg(`bench:pacing — ${CHART_CAMPAIGN} (even, daily goal ${a[0].goal}): plan vs delivery per hour`, labels, [
    { name: 'plan (made at 00:00)', color: '#1e88e5', values: a.flatMap((d) => d.plannedByHour), dashed: true },
    { name: 'delivered (planned)', color: '#43a047', values: a.flatMap((d) => d.deliveredByHour) },
    { name: 'delivered (allowance)', color: '#e53935', values: b.flatMap((d) => d.deliveredByHour) },
  ]);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'pacing.svg');
  writeFileSync(path, svg);
  return path;
}

function main(): void {
  const t0 = performance.now();
  const world: SimWorld = {
    rates: minuteRates(createRng(SEED)),
    listeners: makeListeners(createRng(SEED + 1), CAMPAIGNS),
    servingShare: CAMPAIGNS.map((c) => servingShare(c.hours)),
  };
  const planned = simulate('planned', world, SEED + 2);
  const t1 = performance.now();
  const old = simulate('allowance', world, SEED + 2);
  const t2 = performance.now();
  const mNew = measure(planned);
  const mOld = measure(old);
  console.log(campaignTable(planned, old));
  const tv = planned.forecastShapeTv;
  console.log(`forecast vs realised hourly shape of the slot's traffic (TV): day 1 ${tv[0].toFixed(3)}, days 2–7 ${mean(tv.slice(1, 7)).toFixed(3)}, days 8–14 ${mean(tv.slice(7)).toFixed(3)}`);
  console.log(`demand/supply by day: ${planned.demandOverSupply.map((x) => x.toFixed(2)).join(' ')} (shock days ${[...SHOCKS.keys()].map((d) => d + 1).join(', ')})`);
  console.log(`feasible campaign-days: ${mNew.feasibleDays} (allowance ${mOld.feasibleDays}); even campaign-days: ${mNew.evenDays}`);
  console.log(`feasible days > 2 % short, by cause: planned ${causes(mNew)}; allowance ${causes(mOld)}`);
  for (const f of planned.flights) console.log(`flight ${f.campaign.id}: goal ${f.goal}, delivered ${f.delivered} (allowance ${old.flights.find((g) => g.campaign === f.campaign)?.delivered})`);
  console.log(`chart: ${writeChart(planned, old)}`);
  console.log(`sim time: planned ${((t1 - t0) / 1000).toFixed(1)} s, allowance ${((t2 - t1) / 1000).toFixed(1)} s`);
  console.log(`pacing-bench-allowance: days=${DAYS} campaigns=${CAMPAIGNS.length} ${metricsLine(mOld)}`);
  console.log(`pacing-bench: days=${DAYS} campaigns=${CAMPAIGNS.length} ${metricsLine(mNew)}`);
}

main();
