import { chromium, type Browser } from 'playwright-core';
import { eventually } from '../../support/job-driver.contract';
import { createSeedAds, createUploadPackage, expectOk, threePolicies, type SeededAds } from '../../support/seed-ads';
import { http, startEmbeddedApp, type TestApp } from '../../support/test-app';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('/console/live in headless Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let viewer: string;
  let client: string;

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    client = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: app.adminKey, body: { name: 'app', role: 'slot-client' } }))).key;
    viewer = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: app.adminKey, body: { name: 'wall screen', role: 'viewer' } }))).key;
    await createUploadPackage(app.url, app.adminKey, 'vip-2024', []);
    await createUploadPackage(app.url, app.adminKey, 'paid-users', []);
    const seed = await createSeedAds(app.url, app.adminKey);
    for (const [slot, policy] of Object.entries(threePolicies(seed))) {
      await expectOk(http(app.url, 'PUT', `/v1/slots/${seed.slots[slot as keyof SeededAds['slots']].key}/policy`, { key: app.adminKey, body: policy }));
    }
    // Some traffic: every served ad gets an impression, every third a click.
    let served = 0;
    await eventually(async () => {
      for (let i = 0; i < 30; i++) {
        const res = await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'phone-desktop-banner', userId: `listener-${served}-${i}`, platform: 'ios', count: 2 } });
        const ads = (res.body.ads ?? []) as { trackingUrls: { impression: string; click: string } }[];
        const events = ads.flatMap((ad, k) => {
          const token = new URL(ad.trackingUrls.impression).searchParams.get('t');
          const click = new URL(ad.trackingUrls.click).searchParams.get('t');
          return (i + k) % 3 === 0 ? [{ type: 'impression', token }, { type: 'click', token: click }] : [{ type: 'impression', token }];
        });
        if (events.length) await expectOk(http(app.url, 'POST', '/v1/events', { key: client, body: { events } }), [202]);
        served += ads.length;
      }
      return served > 0 ? true : null;
    }, 30_000);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('asks for a key, then charts impressions and CTR per campaign and per branch', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/live`);
    expect(await page.textContent('#status')).toBe('enter a viewer key');
    await page.fill('#key', viewer);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-loaded=true]', { timeout: 20_000 });
    await page.waitForSelector('#chart-impressions-campaign polyline', { state: 'attached', timeout: 20_000 });
    const charts = ['impressions-campaign', 'ctr-campaign', 'impressions-branch', 'ctr-branch'];
    const lines = await Promise.all(charts.map((id) => page.locator(`#chart-${id} polyline`).count()));
    expect(lines.every((n) => n > 0)).toBe(true);
    // every series has visible points, drawn inside the plot area
    const dots = await Promise.all(charts.map((id) => page.locator(`#chart-${id} circle`).count()));
    expect(dots.every((n) => n > 0)).toBe(true);
    const box = await page.locator('#chart-impressions-campaign circle').first().boundingBox();
    const frame = await page.locator('#chart-impressions-campaign').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(frame!.x);
    expect(box!.x + box!.width).toBeLessThanOrEqual(frame!.x + frame!.width + 1);
    expect(box!.height).toBeGreaterThan(0);
    const legend = await page.textContent('#legend-impressions-campaign');
    expect(legend).toMatch(/Concert tickets partner|K-pop digital single/);
    expect(await page.textContent('#legend-impressions-branch')).toContain('everyone by priority');
    // the key stays in this tab only
    expect(await page.evaluate<string | null>("sessionStorage.getItem('musicboss.viewerKey')")).toBe(viewer);
    await page.close();
  });

  it('tells a slot-client key that it may not read reports, and draws nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/live`);
    await page.fill('#key', client);
    await page.click('button[type=submit]');
    await page.waitForFunction("/viewer role/.test(document.getElementById('status').textContent)", undefined, { timeout: 20_000 });
    expect(await page.locator('polyline').count()).toBe(0);
    expect(await page.locator('circle').count()).toBe(0);
    await page.close();
  });
});
