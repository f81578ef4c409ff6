/**
 * /console/live: one self-contained page (no external scripts, so it works offline and under a strict CSP).
 * It asks for a viewer key once per tab, then polls /v1/reports/live every 5 s and draws SVG line charts.
 */
export const LIVE_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MusicBoss live delivery</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { display: flex; gap: 16px; align-items: center; padding: 10px 20px; background: #1d2330; color: #fff; }
  header h1 { font-size: 16px; margin: 0; }
  #status { font-size: 12px; opacity: .8; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  section h2 { font-size: 14px; margin: 0 0 6px; }
  svg { width: 100%; height: 240px; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; }
  .legend span::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: 4px; background: var(--c); border-radius: 2px; }
  form { display: flex; gap: 8px; }
  input { width: 320px; }
  .empty { fill: #888; font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1>MusicBoss · live delivery</h1>
  <form id="key-form"><input id="key" type="password" placeholder="viewer API key (mb_…)" autocomplete="off"><button type="submit">Connect</button></form>
  <label>last <select id="minutes"><option value="60">1 h</option><option value="180" selected>3 h</option><option value="360">6 h</option><option value="720">12 h</option></select></label>
  <span id="status">enter a viewer key</span>
</header>
<main>
  <section><h2>Impressions per minute, by campaign</h2><svg id="chart-impressions-campaign" data-metric="impressions"></svg><div class="legend" id="legend-impressions-campaign"></div></section>
  <section><h2>CTR, by campaign</h2><svg id="chart-ctr-campaign" data-metric="ctr"></svg><div class="legend" id="legend-ctr-campaign"></div></section>
  <section><h2>Impressions per minute, by branch</h2><svg id="chart-impressions-branch" data-metric="impressions"></svg><div class="legend" id="legend-impressions-branch"></div></section>
  <section><h2>CTR, by branch</h2><svg id="chart-ctr-branch" data-metric="ctr"></svg><div class="legend" id="legend-ctr-branch"></div></section>
</main>
<script>
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00', '#b82e2e', '#316395'];
  var REFRESH_MS = 5000;
  var key = sessionStorage.getItem('musicboss.viewerKey') || '';
  var timer = null;
  var status = document.getElementById('status');

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) node.setAttribute(k, String(attrs[k]));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function draw(id, series, metric, fromMs, toMs) {
    var svg = document.getElementById('chart-' + id);
    var legend = document.getElementById('legend-' + id);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    while (legend.firstChild) legend.removeChild(legend.firstChild);
    var w = svg.clientWidth || 600, h = svg.clientHeight || 240, left = 48, right = 8, top = 8, bottom = 22;
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    var max = 0;
    series.forEach(function (s) { s.points.forEach(function (p) { var v = p[metric]; if (v !== null && v > max) max = v; }); });
    if (max === 0) max = metric === 'ctr' ? 0.01 : 1;
    var x = function (t) { return left + ((t - fromMs) / (toMs - fromMs)) * (w - left - right); };
    var y = function (v) { return h - bottom - (v / max) * (h - top - bottom); };
    svg.appendChild(el('line', { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, stroke: '#999' }));
    svg.appendChild(el('line', { x1: left, y1: top, x2: left, y2: h - bottom, stroke: '#999' }));
    for (var i = 0; i <= 4; i++) {
      var v = (max * i) / 4;
      svg.appendChild(el('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10 }, metric === 'ctr' ? (v * 100).toFixed(1) + '%' : String(Math.round(v))));
    }
    for (var j = 0; j <= 4; j++) {
      var t = fromMs + ((toMs - fromMs) * j) / 4;
      svg.appendChild(el('text', { x: x(t), y: h - 6, 'text-anchor': j === 0 ? 'start' : j === 4 ? 'end' : 'middle', 'font-size': 10 }, new Date(t).toTimeString().slice(0, 5)));
    }
    if (series.length === 0) svg.appendChild(el('text', { x: w / 2, y: h / 2, 'text-anchor': 'middle', class: 'empty' }, 'no impressions in this window yet'));
    series.forEach(function (s, idx) {
      var color = COLORS[idx % COLORS.length];
      var shown = s.points.filter(function (p) { return p[metric] !== null; });
      var pts = shown.map(function (p) { return x(p.t + 30000).toFixed(1) + ',' + y(p[metric]).toFixed(1); });
      var line = el('polyline', { points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 2, 'data-series': s.key });
      line.appendChild(el('title', {}, s.name));
      svg.appendChild(line);
      // A dot per minute, so a series with one point (a fresh campaign) is visible too.
      shown.forEach(function (p) {
        var dot = el('circle', { cx: x(p.t + 30000).toFixed(1), cy: y(p[metric]).toFixed(1), r: 3, fill: color });
        dot.appendChild(el('title', {}, s.name + ': ' + (metric === 'ctr' ? (p.ctr * 100).toFixed(2) + '%' : p[metric]) + ' at ' + new Date(p.t).toTimeString().slice(0, 5)));
        svg.appendChild(dot);
      });
      var item = document.createElement('span');
      item.style.setProperty('--c', color);
      item.textContent = s.name;
      legend.appendChild(item);
    });
  }

  function load(by) {
    var minutes = document.getElementById('minutes').value;
    return fetch('/v1/reports/live?by=' + by + '&minutes=' + minutes, { headers: { authorization: 'Bearer ' + key } }).then(function (r) {
      if (r.status === 401 || r.status === 403) throw new Error(r.status === 401 ? 'key not accepted' : 'this key may not read reports (viewer role needed)');
      if (!r.ok) throw new Error('reports answered ' + r.status);
      return r.json();
    }).then(function (data) {
      var fromMs = Date.parse(data.from), toMs = Date.parse(data.to);
      draw('impressions-' + by, data.series, 'impressions', fromMs, toMs);
      draw('ctr-' + by, data.series, 'ctr', fromMs, toMs);
    });
  }

  function refresh() {
    if (!key) return;
    Promise.all([load('campaign'), load('branch')]).then(function () {
      status.textContent = 'updated ' + new Date().toLocaleTimeString() + ' · refreshes every ' + REFRESH_MS / 1000 + ' s';
      document.body.setAttribute('data-loaded', 'true');
    }, function (error) {
      status.textContent = error.message;
    });
  }

  document.getElementById('key-form').addEventListener('submit', function (event) {
    event.preventDefault();
    key = document.getElementById('key').value.trim();
    sessionStorage.setItem('musicboss.viewerKey', key);
    refresh();
  });
  document.getElementById('minutes').addEventListener('change', refresh);
  timer = setInterval(refresh, REFRESH_MS);
  refresh();
})();
</script>
</body>
</html>
`;
