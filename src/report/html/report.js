// Lays out the embedded report. Tenant text is untrusted: it only ever reaches the page through
// textContent and attribute values, never as markup. Everything is linear in the number of
// findings; a finding's body (snippet, help, waiver) is built when it is first opened, or for
// printing.
(function () {
  'use strict';
  var root = document.documentElement;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function $(id) { return document.getElementById(id); }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }

  var data, doc, items = [], rulesById = Object.create(null);

  function main() {
    data = JSON.parse($('skuld-data').textContent);
    doc = data.report;
    var known = doc.summary && doc.summary.known;
    var baseline = known !== undefined && known !== null;
    (doc.findings || []).forEach(function (f) {
      items.push({ f: f, status: 'open', waiver: null });
    });
    (doc.waived || []).forEach(function (w) {
      items.push({ f: w, status: 'waived', waiver: w.waiver });
    });
    (doc.rules || []).forEach(function (r) { rulesById[r.id] = r; });
    if (baseline) {
      $('f-status').options[1].textContent = 'New (not in baseline)';
    }
    header(baseline, known);
    cards(baseline, known);
    problems('errors', doc.errors || []);
    problems('notes', doc.notes || []);
    problems('overrides', (doc.overrides || []).map(function (o) {
      return { code: 'skuld::config::override', message: o };
    }));
    totals();
    seats();
    cost();
    findings(baseline);
    rules();
    filters();
    window.addEventListener('beforeprint', function () {
      items.forEach(function (it) { body(it); it.node.open = true; });
      Array.prototype.forEach.call(document.querySelectorAll('details.rule-doc'), function (d) { d.open = true; });
    });
    // A link to the report can ask for a finding (#finding-3) or for every finding opened.
    var hash = location.hash.slice(1);
    items.forEach(function (it) {
      if (hash === 'expand-all' || it.node.id === hash) { body(it); it.node.open = true; }
    });
    root.setAttribute('data-findings', String((doc.findings || []).length));
    root.setAttribute('data-waived', String((doc.waived || []).length));
  }

  function header(baseline, known) {
    var tenants = doc.tenants || [];
    var meta = $('meta');
    add(meta, el('span', null, plural(tenants.length, 'tenant file', 'tenant files')));
    if (baseline) add(meta, el('span', 'pill', 'baseline: ' + plural(known, 'known finding', 'known findings') + ' left out'));
    document.title = 'skuld report: ' + summaryLine();
    $('foot').textContent = 'skuld ' + data.version + ' · the same data as skuld check --format json · ' +
      'self-contained: this file loads nothing from the network';
  }

  function summaryLine() {
    var s = doc.summary || {};
    return plural(s.errors || 0, 'error', 'errors') + ', ' + plural(s.warnings || 0, 'warning', 'warnings');
  }

  function cards(baseline, known) {
    var s = doc.summary || {};
    var tenants = doc.tenants || [];
    var failed = tenants.filter(function (t) { return !t.loaded; }).length;
    var list = [
      ['Errors', s.errors || 0, (s.errors ? 'bad' : 'good')],
      ['Warnings', s.warnings || 0, (s.warnings ? 'warn' : 'good')],
      ['Waived', s.waived || 0, 'neutral'],
      ['Tenant files', tenants.length - failed + ' / ' + tenants.length, failed ? 'bad' : 'neutral', failed ? failed + ' could not be checked' : 'all checked']
    ];
    if (baseline) list.push(['Known (baseline)', known, 'neutral', 'left out of the findings']);
    var c = $('cards');
    list.forEach(function (x) {
      var card = el('div', 'card ' + x[2]);
      add(card, el('div', 'card-label', x[0]), el('div', 'card-value', typeof x[1] === 'number' ? fmt(x[1]) : x[1]));
      if (x[3]) add(card, el('div', 'card-note', x[3]));
      c.appendChild(card);
    });
  }

  function place(file, line, column) {
    var p = file === null || file === undefined ? '' : file;
    if (line) p += ':' + line + (column ? ':' + column : '');
    return p;
  }

  function problems(id, list) {
    if (!list.length) return;
    $(id + '-section').hidden = false;
    var ul = $(id);
    list.forEach(function (e) {
      var li = el('li');
      add(li, el('code', 'code', e.code), ' ', el('span', 'loc', place(e.file, e.line, e.column)));
      add(li, el('div', 'msg', e.message));
      if (e.help) add(li, el('div', 'help', 'help: ' + e.help));
      ul.appendChild(li);
    });
  }

  function totals() {
    var counts = Object.create(null);
    var order = (doc.rules || []).map(function (r) { return r.id; });
    items.forEach(function (it) {
      var id = it.f.rule;
      if (!counts[id]) { counts[id] = { error: 0, warning: 0, waived: 0 }; if (!rulesById[id]) order.push(id); }
      if (it.status === 'waived') counts[id].waived++; else counts[id][it.f.severity]++;
    });
    // Findings past the per-rule cap: counted in the totals, not listed.
    (doc.omitted || []).forEach(function (o) {
      var id = o.rule;
      if (!counts[id]) { counts[id] = { error: 0, warning: 0, waived: 0 }; if (!rulesById[id]) order.push(id); }
      counts[id][o.severity] += o.count;
      counts[id].omitted = (counts[id].omitted || 0) + o.count;
      counts[id].limit = o.limit;
    });
    var tbody = $('totals').tBodies[0];
    var sum = { error: 0, warning: 0, waived: 0 };
    var quiet = [];
    order.forEach(function (id) {
      var c = counts[id] || { error: 0, warning: 0, waived: 0 };
      var tr = el('tr');
      var any = c.error + c.warning + c.waived > 0;
      if (!any) { tr.className = 'zero'; quiet.push(tr); }
      var name = el('td', 'rule');
      var a = el('a', null, id);
      a.href = '#';
      a.addEventListener('click', function (ev) { ev.preventDefault(); $('f-rule').value = id; apply(); $('findings-h').scrollIntoView(); });
      add(name, a);
      var r = rulesById[id];
      if (r && r.summary) add(name, el('div', 'muted small', r.summary));
      if (c.omitted) add(name, el('div', 'muted small', fmt(c.omitted) + ' not listed below: at most ' + fmt(c.limit) + ' per rule and tenant file are kept (--max-findings-per-rule)'));
      add(tr, name, num(c.error, 'error'), num(c.warning, 'warning'), num(c.waived, 'waived'));
      if (any) tbody.appendChild(tr);
      sum.error += c.error; sum.warning += c.warning; sum.waived += c.waived;
    });
    quiet.forEach(function (tr) { tbody.appendChild(tr); });
    var foot = el('tr');
    add(foot, el('th', null, 'Total (' + plural(order.length, 'rule', 'rules') + ', ' + quiet.length + ' passed)'),
      num(sum.error, 'error'), num(sum.warning, 'warning'), num(sum.waived, 'waived'));
    $('totals').tFoot.appendChild(foot);
  }

  function num(n, kind) {
    var td = el('td', 'num');
    if (n) add(td, el('span', 'count ' + kind, fmt(n))); else add(td, el('span', 'muted', '0'));
    return td;
  }

  function seats() {
    var box = $('seats');
    var any = false;
    (doc.tenants || []).forEach(function (t) {
      if (!t.seats) return;
      any = true;
      add(box, el('h3', 'tenant', t.file));
      var table = el('table', 'seats');
      var head = el('tr');
      ['SKU', 'Bought', 'Used', 'At risk', ''].forEach(function (h, i) { add(head, el('th', i > 0 && i < 4 ? 'num' : null, h)); });
      add(table, add(el('thead'), head));
      var tb = el('tbody');
      t.seats.forEach(function (s) {
        var tr = el('tr', s.at_risk > 0 ? 'short' : null);
        var sku = el('td');
        add(sku, el('div', 'sku-name', s.name || s.sku), el('code', 'small', s.sku));
        if (s.groups && s.groups.length) add(sku, el('div', 'muted small', 'assigned by ' + s.groups.join(', ')));
        if (s.also_at_risk && s.also_at_risk.length) add(sku, el('div', 'small risk', 'members without a seat also lose ' + s.also_at_risk.join(', ')));
        var use = el('td', 'bar-cell');
        var bar = el('div', 'bar');
        var pct = s.bought === null ? 0 : s.bought > 0 ? Math.min(100, (100 * s.used) / s.bought) : (s.used > 0 ? 100 : 0);
        var fill = el('div', 'fill' + (s.at_risk > 0 ? ' over' : pct >= 90 ? ' high' : ''));
        fill.style.width = pct.toFixed(1) + '%';
        add(bar, fill);
        add(use, bar);
        add(tr, sku, el('td', 'num', s.bought === null ? 'unknown' : fmt(s.bought)), el('td', 'num', fmt(s.used)),
          s.at_risk > 0 ? add(el('td', 'num'), el('span', 'count error', fmt(s.at_risk))) : el('td', 'num muted', '0'), use);
        tb.appendChild(tr);
      });
      add(table, tb);
      box.appendChild(table);
    });
    if (!any) add(box, el('p', 'muted', 'No tenant file lists subscriptions, so seat use is not tracked.'));
  }

  function money(n, currency) {
    return Number(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' ' + currency;
  }

  // The cost card: figures computed by skuld (`tenants[].cost`), only laid out here.
  function cost() {
    var box = $('cost');
    (doc.tenants || []).forEach(function (t) {
      var c = t.cost;
      if (!c) return;
      $('cost-section').hidden = false;
      add(box, el('h3', 'tenant', t.file));
      var cards = el('div', 'cost-cards');
      add(cards,
        add(el('div', 'cost-card'), el('div', 'muted small', 'Priced licences'), el('div', 'cost-figure', money(c.monthly, c.currency))),
        add(el('div', 'cost-card waste'), el('div', 'muted small', 'Waste' + (c.complete ? '' : ' (at least)')), el('div', 'cost-figure', money(c.waste_monthly, c.currency)),
          el('div', 'small', fmt(c.waste_licenses) + (c.waste_licenses === 1 ? ' licence' : ' licences'))));
      add(box, cards);
      if (c.by_rule.length || c.unused_seats) {
        var ul = el('ul', 'cost-rules');
        c.by_rule.forEach(function (r) {
          add(ul, add(el('li'), el('code', null, r.rule), document.createTextNode(': ' + fmt(r.licenses) + ' · ' + money(r.waste_monthly, c.currency))));
        });
        if (c.unused_seats) add(ul, el('li', null, 'unused seats: ' + fmt(c.unused_seats)));
        add(box, ul);
      }
      var table = el('table', 'seats');
      var head = el('tr');
      ['SKU', 'Price', 'Seats', 'Used', 'Monthly', 'Waste'].forEach(function (h, i) { add(head, el('th', i > 0 ? 'num' : null, h)); });
      add(table, add(el('thead'), head));
      var tb = el('tbody');
      c.by_sku.forEach(function (s) {
        add(tb, add(el('tr', s.waste_monthly > 0 ? 'wasteful' : null), add(el('td'), el('code', 'small', s.sku)),
          el('td', 'num', money(s.price, c.currency)), el('td', 'num', fmt(s.seats)), el('td', 'num', fmt(s.used)),
          el('td', 'num', money(s.monthly, c.currency)), el('td', 'num', money(s.waste_monthly, c.currency))));
      });
      add(table, tb);
      box.appendChild(table);
    });
  }

  function findings(baseline) {
    var box = $('findings');
    var frag = document.createDocumentFragment();
    items.forEach(function (it, i) {
      var f = it.f;
      var d = el('details', 'finding sev-' + f.severity + (it.status === 'waived' ? ' waived' : ''));
      d.id = 'finding-' + (i + 1);
      var s = el('summary');
      add(s, el('span', 'badge ' + f.severity, f.severity));
      if (it.status === 'waived') add(s, el('span', 'badge waived', 'waived'));
      else if (baseline) add(s, el('span', 'badge new', 'new'));
      add(s, el('span', 'msg', f.message));
      var meta = el('span', 'fmeta');
      add(meta, el('code', 'rule', f.rule), el('span', 'loc', place(f.file, f.line, f.column)));
      if (f.subject) add(meta, el('span', 'subject', f.subject));
      add(s, meta);
      d.appendChild(s);
      it.node = d;
      it.built = false;
      it.text = [f.message, f.rule, f.file, f.subject || '', f.label || '', f.help || '',
        it.waiver ? it.waiver.reason : ''].join('\n').toLowerCase();
      d.addEventListener('toggle', function () { if (d.open) body(it); });
      frag.appendChild(d);
    });
    box.appendChild(frag);
  }

  // The body of a finding: snippet with labels, help, related places, waiver, rule docs.
  function body(it) {
    if (it.built) return;
    it.built = true;
    var f = it.f;
    var b = el('div', 'fbody');
    var labels = [{ file: f.file, line: f.line, column: f.column, message: f.label || '', primary: true }];
    (f.related || []).forEach(function (r) { labels.push({ file: r.file, line: r.line, column: r.column, message: r.message }); });
    var here = labels.filter(function (l) { return l.file === f.file; });
    var snip = snippet(f.file, here);
    if (snip) add(b, snip);
    var elsewhere = labels.filter(function (l) { return l.file !== f.file; });
    if (elsewhere.length) {
      var ul = el('ul', 'related');
      elsewhere.forEach(function (l) { add(ul, add(el('li'), el('span', 'loc', place(l.file, l.line, l.column)), ' ', l.message)); });
      add(b, ul);
    }
    if (f.help) add(b, add(el('div', 'help'), el('strong', null, 'help: '), f.help));
    if (it.waiver) {
      var w = it.waiver;
      var wd = el('div', 'waiver');
      add(wd, el('strong', null, 'Waived'), ' (' + (w.kind === 'inline' ? 'inline comment' : 'waivers file') + ' at ', el('span', 'loc', w.at),
        ', until ' + w.expires + '): ', w.reason);
      add(b, wd);
    }
    var foot = el('div', 'ffoot');
    if (rulesById[f.rule]) {
      var a = el('a', null, 'About ' + f.rule);
      a.href = '#rule-' + f.rule;
      a.addEventListener('click', function () { var r = $('rule-' + f.rule); if (r) r.open = true; });
      add(foot, a, ' · ');
    }
    add(foot, el('span', 'muted', 'fingerprint ' + f.fingerprint));
    add(b, foot);
    it.node.appendChild(b);
  }

  function snippet(file, labels) {
    var lines = (data.snippets || {})[file];
    if (!lines) return null;
    var want = Object.create(null);
    var byLine = Object.create(null);
    labels.forEach(function (l) {
      (byLine[l.line] = byLine[l.line] || []).push(l);
      for (var n = Math.max(1, l.line - 2); n <= l.line + 2; n++) if (lines[n] !== undefined) want[n] = true;
    });
    var nums = Object.keys(want).map(Number).sort(function (a, b) { return a - b; });
    if (!nums.length) return null;
    var width = String(nums[nums.length - 1]).length;
    var pre = el('pre', 'snippet');
    add(pre, el('div', 'sfile', file));
    var prev = 0;
    nums.forEach(function (n) {
      if (prev && n > prev + 1) add(pre, el('div', 'gap', '⋮'));
      prev = n;
      var text = lines[n];
      var row = el('div', 'row' + (byLine[n] ? ' hit' : ''));
      add(row, el('span', 'ln', pad(String(n), width)), el('span', 'src', text === '' ? ' ' : text));
      add(pre, row);
      (byLine[n] || []).forEach(function (l) {
        var chars = Array.from(text).slice(0, Math.max(0, l.column - 1));
        var indent = chars.map(function (c) { return c === '\t' ? '\t' : ' '; }).join('');
        var mark = el('div', 'mark' + (l.primary ? ' primary' : ''));
        add(mark, el('span', 'ln', pad('', width)), el('span', 'src', indent + (l.primary ? '^ ' : '- ') + l.message));
        add(pre, mark);
      });
    });
    return pre;
  }

  function pad(s, w) { while (s.length < w) s = ' ' + s; return s; }

  function rules() {
    var box = $('rules');
    (doc.rules || []).forEach(function (r) {
      var d = el('details', 'rule-doc');
      d.id = 'rule-' + r.id;
      var s = el('summary');
      add(s, el('code', 'rule', r.id), ' ', el('span', 'badge ' + r.severity, r.severity), ' ', el('span', null, r.summary));
      add(d, s, el('pre', 'docs', r.docs));
      box.appendChild(d);
    });
  }

  function filters() {
    var rule = $('f-rule'), file = $('f-file');
    var seen = Object.create(null);
    (doc.rules || []).map(function (r) { return r.id; }).concat(items.map(function (it) { return it.f.rule; })).forEach(function (id) {
      if (seen[id]) return;
      seen[id] = true;
      var o = el('option', null, id); o.value = id; rule.appendChild(o);
    });
    (doc.tenants || []).forEach(function (t) { var o = el('option', null, t.file); o.value = t.file; file.appendChild(o); });
    var timer = 0;
    $('q').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
    ['f-error', 'f-warning', 'f-status', 'f-rule', 'f-file'].forEach(function (id) { $(id).addEventListener('change', apply); });
    $('expand').addEventListener('click', function () { items.forEach(function (it) { if (!it.node.hidden) { body(it); it.node.open = true; } }); });
    $('collapse').addEventListener('click', function () { items.forEach(function (it) { it.node.open = false; }); });
    apply();
  }

  function apply() {
    var q = $('q').value.trim().toLowerCase();
    var sev = { error: $('f-error').checked, warning: $('f-warning').checked };
    var status = $('f-status').value, rule = $('f-rule').value, file = $('f-file').value;
    var shown = 0;
    items.forEach(function (it) {
      var f = it.f;
      var ok = sev[f.severity] !== false &&
        (!status || it.status === status) &&
        (!rule || f.rule === rule) &&
        (!file || f.file === file) &&
        (!q || it.text.indexOf(q) >= 0);
      if (it.node.hidden === ok) it.node.hidden = !ok;
      if (ok) shown++;
    });
    $('shown').textContent = 'showing ' + fmt(shown) + ' of ' + fmt(items.length);
    $('none').hidden = shown > 0 || items.length === 0;
    if (items.length === 0) { $('none').hidden = false; $('none').textContent = 'No findings.'; }
    root.setAttribute('data-shown', String(shown));
  }

  try {
    var t0 = Date.now();
    main();
    root.setAttribute('data-render-ms', String(Date.now() - t0));
    root.setAttribute('data-skuld-rendered', 'ok');
  } catch (e) {
    root.setAttribute('data-skuld-error', String((e && e.message) || e));
    var p = $('fatal');
    if (p) { p.hidden = false; p.textContent = 'This report could not be displayed: ' + e; }
    throw e;
  }
})();
