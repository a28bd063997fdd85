/**
 * dashboard.js, the one script of the pages besides uPlot: it draws every `[data-chart]` element
 * from the JSON in that attribute and submits the view picker when it changes. Served as a file
 * (never inline: the Content-Security-Policy allows scripts from this origin only).
 */
export const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); };
  var fmt = function (n) { return n == null ? '' : Math.round(n).toLocaleString('en-US'); };

  function options(el, spec, width) {
    var spark = spec.type === 'spark';
    var o = {
      width: width,
      height: spec.height || 240,
      tzDate: utc,
      legend: { show: !spark },
      cursor: spark ? { show: false } : { points: { size: 6 } },
      select: { show: false },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.08]; } } },
      axes: spark ? [{ show: false }, { show: false }] : [
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e1e4e8' } },
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e1e4e8' }, size: 56, values: function (u, vals) { return vals.map(fmt); } },
      ],
      series: [{ value: spark ? undefined : '{YYYY}-{MM}-{DD} {HH}:{mm}' }],
    };
    if (spark) o.padding = [2, 0, 2, 0];
    return o;
  }

  function draw(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart')); } catch (e) { return; }
    el.textContent = '';
    var width = Math.max(120, el.clientWidth);
    var opts = options(el, spec, width);
    var data = [spec.x];
    if (spec.type === 'stack') {
      // Stacked: each series is drawn as the running total up to it, the top one first, so each
      // band shows its own share; the legend and cursor show the series' own counts.
      var acc = spec.x.map(function () { return 0; });
      var totals = spec.series.map(function (s) {
        acc = acc.map(function (a, i) { return a + (s.values[i] || 0); });
        return acc.slice();
      });
      for (var i = spec.series.length - 1; i >= 0; i--) {
        (function (s) {
          data.push(totals[i]);
          opts.series.push({
            label: s.label, stroke: s.color, fill: s.color + 'd0', width: 1,
            paths: spec.x.length <= 200 ? uPlot.paths.bars({ size: [0.9, 40] }) : undefined,
            points: { show: false },
            value: function (u, v, si, di) { return di == null ? '' : fmt(s.values[di]); },
          });
        })(spec.series[i]);
      }
    } else {
      spec.series.forEach(function (s) {
        data.push(s.values);
        opts.series.push({ label: s.label, stroke: s.color, width: spec.type === 'spark' ? 1.5 : 2,
          fill: spec.type === 'spark' ? s.color + '33' : undefined, points: { show: false },
          value: function (u, v) { return fmt(v); } });
      });
    }
    var plot = new uPlot(opts, data, el);
    el.classList.add('drawn');
    return plot;
  }

  function start() {
    var plots = [];
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      var p = draw(el);
      if (p) plots.push([p, el]);
    });
    var timer;
    window.addEventListener('resize', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        plots.forEach(function (pe) { pe[0].setSize({ width: Math.max(120, pe[1].clientWidth), height: pe[0].height }); });
      }, 100);
    });
    document.querySelectorAll('form[data-autosubmit] select').forEach(function (sel) {
      sel.addEventListener('change', function () { sel.form.submit(); });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
