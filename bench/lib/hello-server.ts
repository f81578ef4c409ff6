import Fastify from 'fastify';

/** The reference target of bench:decision: bare Fastify answering a canned decision-shaped JSON body. */
const CANNED = {
  slotId: '00000000-0000-4000-8000-000000000000',
  slotKey: 'slot-0',
  snapshotVersion: 1,
  fallback: null,
  ads: [{ decisionId: '00000000-0000-4000-8000-000000000001', campaignId: 'c', campaignName: 'Campaign', creative: { id: 'cr', type: 'image', title: 't', assetUrl: null, landingUrl: 'https://example.com' }, branch: 'everyone', method: 'priority', probability: 1, position: 0, explored: false, trackingUrls: { impression: 'x', click: 'x', conversion: 'x', skip: 'x' } }],
};

const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
app.post('/v1/decisions', async () => CANNED);
app.listen({ port: Number(process.argv[2] ?? 3999), host: '127.0.0.1' });
