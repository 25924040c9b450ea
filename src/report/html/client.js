// Draws the charts of a meshbench HTML report with uPlot, from the JSON blob the
// generator inlined (<script id="mb-data">). Plain browser JavaScript, inlined
// into the page as it is: no build step, no request to anywhere.
/* global uPlot */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('mb-data').textContent);
  // Okabe & Ito's palette (safe for the common colour-vision deficiencies); the
  // last slot is the text colour of the scheme, read from CSS.
  var PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];
  var DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
  var charts = [];
  window.__mbCharts = charts;

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  function fmt(v) {
    if (v == null) return '–';
    var a = Math.abs(v);
    return a === 0 ? '0' : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3) : v.toPrecision(4);
  }
  function pctLabel(p) {
    return (Math.round(p * 10000) / 10000) + '%';
  }
  // HdrHistogram's x axis: 1 nine = 90 %, 2 = 99 %, 3 = 99.9 %.
  function nines(p) {
    return -Math.log10(1 - p / 100);
  }
  function fromNines(n) {
    return 100 * (1 - Math.pow(10, -n));
  }

  /** Aligns [x, y] pairs of several series on one sorted x axis (null where a series has no point). */
  function align(seriesPoints) {
    var xs = [];
    var seen = {};
    seriesPoints.forEach(function (pts) {
      pts.forEach(function (pt) {
        if (!seen[pt[0]]) {
          seen[pt[0]] = true;
          xs.push(pt[0]);
        }
      });
    });
    xs.sort(function (a, b) { return a - b; });
    var index = {};
    xs.forEach(function (x, i) { index[x] = i; });
    var out = [xs];
    seriesPoints.forEach(function (pts) {
      var ys = xs.map(function () { return null; });
      pts.forEach(function (pt) { ys[index[pt[0]]] = pt[1]; });
      out.push(ys);
    });
    return out;
  }

  function tooltipPlugin(xLabel) {
    var tip;
    return {
      hooks: {
        init: function (u) {
          tip = document.createElement('div');
          tip.className = 'mb-tip';
          tip.style.display = 'none';
          u.over.appendChild(tip);
          u.over.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i == null || u.cursor.left < 0) {
            tip.style.display = 'none';
            return;
          }
          var rows = [];
          for (var s = 1; s < u.series.length; s++) {
            var v = u.data[s][i];
            if (v == null || !u.series[s].show) continue;
            rows.push('<div><span class="mb-swatch" style="background:' + strokeOf(u, s) + '"></span>' +
              escapeHtml(u.series[s].label) + ': <b>' + fmt(v) + '</b> ' + escapeHtml(u.series[s].unit || '') + '</div>');
          }
          if (!rows.length) {
            tip.style.display = 'none';
            return;
          }
          tip.innerHTML = '<div class="mb-tip-x">' + escapeHtml(xLabel(u.data[0][i])) + '</div>' + rows.join('');
          tip.style.display = 'block';
          var left = u.cursor.left + 12;
          if (left + tip.offsetWidth > u.over.clientWidth) left = u.cursor.left - tip.offsetWidth - 12;
          tip.style.left = Math.max(0, left) + 'px';
          tip.style.top = Math.max(0, u.cursor.top - tip.offsetHeight - 8) + 'px';
        },
      },
    };
  }

  function strokeOf(u, s) {
    var st = u.series[s].stroke;
    return typeof st === 'function' ? st(u, s) : st;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function axis(label, values) {
    var a = {
      label: label,
      stroke: css('--fg'),
      grid: { stroke: css('--grid'), width: 1 },
      ticks: { stroke: css('--grid'), width: 1 },
    };
    if (values) a.values = values;
    return a;
  }

  function makeChart(host, spec) {
    var width = Math.max(320, host.clientWidth || 560);
    var series = [{ label: spec.xName }].concat(spec.series.map(function (s) {
      return {
        label: s.label,
        unit: s.unit,
        stroke: s.color,
        dash: s.dash,
        width: 2,
        spanGaps: true,
        points: { show: spec.points, size: 5, fill: s.color },
      };
    }));
    var opts = {
      width: width,
      height: 280,
      series: series,
      scales: { x: { time: false } },
      axes: [axis(spec.xAxis, spec.xValues), axis(spec.yAxis)],
      cursor: { points: { size: 7 } },
      legend: { show: true, live: false },
      plugins: [tooltipPlugin(spec.xLabel)],
    };
    if (spec.xSplits) opts.axes[0].splits = spec.xSplits;
    if (spec.marks && spec.marks.length) {
      // From 0, so an event before the first sample is on the chart too.
      opts.scales.x.range = function (u, min, max) { return [0, spec.marks.reduce(function (a, m) { return Math.max(a, m.t); }, max)]; };
      opts.hooks = { draw: [function (u) { drawMarks(u, spec.marks); }] };
    }
    var u = new uPlot(opts, spec.data, host);
    u.mbSpec = spec;
    charts.push(u);
    host.setAttribute('data-drawn', 'true');
    return u;
  }

  function variantColor(i) {
    return PALETTE[i % PALETTE.length];
  }

  function latencyChart(host, step) {
    var pts = [];
    var series = [];
    step.variants.forEach(function (v, i) {
      if (v.curve.length) {
        pts.push(v.curve.map(function (c) { return [nines(c[0]), c[1]]; }));
        series.push({ label: v.name + ' service time', unit: 'ms', color: variantColor(i), dash: [] });
      }
      if (v.corrected && v.corrected.length) {
        pts.push(v.corrected.map(function (c) { return [nines(c[0]), c[1]]; }));
        series.push({ label: v.name + ' corrected', unit: 'ms', color: variantColor(i), dash: [6, 4] });
      }
    });
    if (!series.length) return none(host, 'no latency recorded in this step');
    var max = 0;
    pts.forEach(function (p) { p.forEach(function (q) { max = Math.max(max, q[0]); }); });
    var splits = [];
    for (var n = 0; n <= Math.ceil(max); n++) splits.push(n);
    return makeChart(host, {
      xName: 'percentile', xAxis: 'percentile (log “nines” scale)', yAxis: 'ms',
      xSplits: function () { return splits; },
      xValues: function (u, vals) { return vals.map(function (v) { return pctLabel(fromNines(v)); }); },
      xLabel: function (x) { return 'p' + pctLabel(fromNines(x)).replace('%', ''); },
      series: series, data: align(pts), points: false,
    });
  }

  function timeSpec(host, series, pts, yAxis, step) {
    var marks = [];
    // Every variant runs the same events (ms apart): one marker each, at the first variant's time.
    step.variants.forEach(function (v) {
      (v.events || []).forEach(function (e) {
        if (!marks.some(function (m) { return m.label === e.label; })) marks.push({ t: e.t, label: e.label });
      });
    });
    return makeChart(host, {
      xName: 's', xAxis: 'seconds into the step', yAxis: yAxis,
      xLabel: function (x) { return 't = ' + x + ' s'; },
      series: series, data: align(pts), points: true, marks: marks,
    });
  }

  /** Instance events (stop/start/slow/fail/recover): a dashed vertical line and its label. */
  function drawMarks(u, marks) {
    var ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = ctx.fillStyle = PALETTE[5];
    ctx.setLineDash([4, 4]);
    ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    marks.forEach(function (m, i) {
      var x = u.valToPos(m.t, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.fillText(m.t.toFixed(1) + ' s ' + m.label, x + 3, u.bbox.top + 14 * devicePixelRatio * (i % 4));
    });
    ctx.restore();
  }

  /** Per-sample rates: n / (t - previous t). */
  function rates(timeline, pick) {
    var prev = 0;
    return timeline.map(function (s) {
      var len = s.t - prev;
      prev = s.t;
      return [s.t, len > 0 ? pick(s) / len : 0];
    });
  }

  function qpsChart(host, step) {
    var series = [];
    var pts = [];
    step.variants.forEach(function (v, i) {
      if (!v.timeline.length) return;
      series.push({ label: v.name, unit: 'qps', color: variantColor(i), dash: [] });
      pts.push(v.timeline.map(function (s) { return [s.t, s.qps]; }));
    });
    if (!series.length) return none(host, 'no per-second samples in this step');
    return timeSpec(host, series, pts, 'calls per second', step);
  }

  function codeColor(code, k) {
    var n = Number(code);
    if (n >= 200 && n < 300) return PALETTE[2];
    if (n >= 500) return PALETTE[5];
    if (n >= 400) return PALETTE[1];
    if (n === -1) return PALETTE[3];
    return PALETTE[(4 + k) % PALETTE.length];
  }

  function keyedChart(host, step, field, colorOf, labelOf, yAxis, empty) {
    var series = [];
    var pts = [];
    var keys = [];
    step.variants.forEach(function (v) {
      v.timeline.forEach(function (s) {
        Object.keys(s[field]).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
      });
    });
    keys.sort();
    step.variants.forEach(function (v, vi) {
      keys.forEach(function (k, ki) {
        if (!v.timeline.some(function (s) { return s[field][k]; })) return;
        series.push({ label: (step.variants.length > 1 ? v.name + ' ' : '') + labelOf(k), unit: '/s', color: colorOf(k, ki), dash: DASHES[vi % DASHES.length] });
        pts.push(rates(v.timeline, function (s) { return s[field][k] || 0; }));
      });
    });
    if (!series.length) return none(host, empty);
    return timeSpec(host, series, pts, yAxis, step);
  }

  function none(host, text) {
    host.classList.add('mb-empty');
    host.textContent = text;
    host.setAttribute('data-drawn', 'empty');
    return null;
  }

  function drawAll() {
    charts.length = 0;
    document.querySelectorAll('[data-chart]').forEach(function (host) {
      host.innerHTML = '';
      host.classList.remove('mb-empty');
      var step = data.steps[Number(host.getAttribute('data-step'))];
      switch (host.getAttribute('data-chart')) {
        case 'latency': return latencyChart(host, step);
        case 'qps': return qpsChart(host, step);
        case 'codes':
          return keyedChart(host, step, 'codes', codeColor, function (k) { return k === '-1' ? 'socket errors' : 'code ' + k; },
            'responses per second', 'no responses in this step');
        case 'counters':
          return keyedChart(host, step, 'counters', function (k, i) { return PALETTE[(i + 1) % PALETTE.length]; }, function (k) { return k; },
            'increments per second', 'no overflow, retry, timeout or ejection during this step');
      }
    });
  }

  drawAll();
  // Colours come from the scheme: redraw when it changes.
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', drawAll);
  }
})();
