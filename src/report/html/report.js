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
  // Messages and help mark code with backticks (Markdown code spans): each span becomes a
  // <code> element whose text is set as text, so tenant text inside it stays text. A backtick
  // without its pair is shown as it is.
  function md(parent, text) {
    var parts = String(text === null || text === undefined ? '' : text).split('`');
    parts.forEach(function (part, i) {
      if (i % 2 === 0) { if (part) parent.appendChild(document.createTextNode(part)); }
      else if (i < parts.length - 1) parent.appendChild(el('code', 'md', part));
      else parent.appendChild(document.createTextNode('`' + part));
    });
    return parent;
  }
  // How many causes of a rule, and groups of a SKU, are shown before an "and N more" toggle.
  var SHOWN = 5;

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
      items.forEach(function (it) { reveal(it); });
      Array.prototype.forEach.call(document.querySelectorAll('details.rule-doc'), function (d) { d.open = true; });
    });
    // A link to the report can ask for a finding (#finding-3) or for every finding opened.
    var hash = location.hash.slice(1);
    items.forEach(function (it, i) {
      if (hash === 'expand-all' || 'finding-' + (i + 1) === hash) reveal(it);
    });
    root.setAttribute('data-findings', String((doc.findings || []).length));
    root.setAttribute('data-waived', String((doc.waived || []).length));
  }

  function header(baseline, known) {
    var tenants = doc.tenants || [];
    var meta = $('meta');
    add(meta, el('span', null, plural(tenants.length, 'tenant file', 'tenant files')));
    if (baseline) add(meta, el('span', 'pill', 'baseline: ' + plural(known, 'known finding', 'known findings') + ' left out'));
    if (data.policy) {
      var policy = el('div', 'policy');
      policy.id = 'policy';
      add(meta.parentNode, md(policy, 'policy: ' + data.policy));
    }
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
      if (r && r.summary) add(name, md(el('div', 'muted small'), r.summary));
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

  // Seat use per SKU, riskiest first (skuld orders them: over-subscribed, lapsing, at the
  // limit, the rest). A SKU names at most SHOWN of the groups that assign it; the rest are
  // behind a toggle, so a tenant with hundreds of groups keeps one line per SKU.
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
        var tr = el('tr', 'risk-' + s.risk);
        var sku = el('td');
        add(sku, el('div', 'sku-name', s.name || s.sku), el('code', 'small', s.sku));
        var why = riskNote(s);
        if (why) add(sku, ' ', el('span', 'badge risk-' + s.risk, why));
        if (s.groups && s.groups.length) add(sku, groupList(s.groups));
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

  function riskNote(s) {
    if (s.risk === 'over_subscribed') return 'over-subscribed';
    if (s.risk === 'lapsing') return s.status ? 'subscription ' + s.status : 'trial ends ' + s.ends;
    if (s.risk === 'at_limit') return 'every seat used';
    return null;
  }

  function groupList(groups) {
    var line = el('div', 'muted small groups', 'assigned by ' + groups.slice(0, SHOWN).join(', '));
    if (groups.length <= SHOWN) return line;
    var d = el('details', 'all-groups');
    add(d, el('summary', null, 'and ' + fmt(groups.length - SHOWN) + ' more'));
    d.addEventListener('toggle', function () {
      if (d.open && d.childNodes.length < 2) add(d, el('div', 'group-names', groups.join(', ')));
    });
    add(line, ' ', d);
    return line;
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

  // Findings by rule (errors first, then the larger rule), each rule's folded by cause, as
  // skuld groups them (`groups` in the data). A rule shows its first SHOWN causes; a cause shows
  // its first finding and hides the others behind "and N more with the same cause". Nodes
  // behind a toggle are built when it is first opened.
  var groups = [];

  function findings(baseline) {
    var box = $('findings');
    var frag = document.createDocumentFragment();
    items.forEach(function (it, i) {
      var f = it.f;
      it.i = i;
      it.baseline = baseline;
      it.node = null;
      it.built = false;
      it.ok = true;
      it.text = [f.message, f.rule, f.file, f.subject || '', f.label || '', f.help || '',
        it.waiver ? it.waiver.reason : ''].join('\n').toLowerCase();
    });
    (data.groups || []).forEach(function (g) {
      var group = { g: g, folds: [], node: el('section', 'rgroup sev-' + g.severity + (g.waived ? ' waived' : '')) };
      group.node.id = 'rule-group-' + groups.length;
      var head = el('div', 'rhead');
      add(head, el('span', 'badge ' + g.severity, g.severity));
      if (g.waived) add(head, el('span', 'badge waived', 'waived'));
      add(head, el('code', 'rule', g.rule));
      group.count = el('span', 'rcount');
      add(head, group.count);
      var omitted = g.waived ? 0 : (doc.omitted || []).reduce(function (n, o) {
        return o.rule === g.rule && o.severity === g.severity ? n + o.count : n;
      }, 0);
      if (omitted) add(head, el('span', 'muted small', fmt(omitted) + ' more not listed (--max-findings-per-rule)'));
      var r = rulesById[g.rule];
      add(group.node, head);
      if (r && r.summary) add(group.node, md(el('div', 'muted small rsummary'), r.summary));
      g.folds.forEach(function (fd) {
        var fold = { cause: fd.cause, items: [], group: group, k: group.folds.length, node: el('div', 'fold'), more: null, built: false };
        fd.findings.forEach(function (i) { var it = items[i]; if (it) { it.fold = fold; fold.items.push(it); } });
        if (!fold.items.length) return;
        group.folds.push(fold);
        if (fold.k < SHOWN) placeFold(fold);
      });
      if (group.folds.length > SHOWN) {
        var rest = el('details', 'more-causes');
        group.restSummary = el('summary');
        add(rest, group.restSummary);
        rest.addEventListener('toggle', function () { if (rest.open) group.folds.forEach(placeFold); });
        group.rest = rest;
        add(group.node, rest);
      }
      groups.push(group);
      frag.appendChild(group.node);
    });
    box.appendChild(frag);
  }

  // Puts a fold's node in its group (the first SHOWN in the group, the others inside the
  // group's "more causes" toggle), with its first finding and the toggle for the others.
  function placeFold(fold) {
    if (fold.node.parentNode) return;
    var group = fold.group;
    if (fold.k < SHOWN) group.node.insertBefore(fold.node, group.rest || null);
    else group.rest.appendChild(fold.node);
    add(fold.node, row(fold.items[0]));
    if (fold.items.length > 1) {
      var more = el('details', 'more');
      fold.summary = el('summary');
      add(more, fold.summary);
      more.addEventListener('toggle', function () { if (more.open) members(fold); });
      fold.more = more;
      add(fold.node, more);
    }
    show(fold);
  }

  // The other findings of a fold, built when its toggle is first opened.
  function members(fold) {
    if (fold.built) return;
    fold.built = true;
    var list = el('div', 'members');
    fold.items.slice(1).forEach(function (it) { add(list, row(it)); });
    add(fold.more, list);
  }

  // One finding's line (its body is built when it is opened).
  function row(it) {
    var f = it.f;
    var d = el('details', 'finding sev-' + f.severity + (it.status === 'waived' ? ' waived' : ''));
    d.id = 'finding-' + (it.i + 1);
    var s = el('summary');
    add(s, el('span', 'badge ' + f.severity, f.severity));
    if (it.status === 'waived') add(s, el('span', 'badge waived', 'waived'));
    else if (it.baseline) add(s, el('span', 'badge new', 'new'));
    add(s, md(el('span', 'msg'), f.message));
    var meta = el('span', 'fmeta');
    add(meta, el('code', 'rule', f.rule), el('span', 'loc', place(f.file, f.line, f.column)));
    if (f.subject) add(meta, el('span', 'subject', f.subject));
    add(s, meta);
    d.appendChild(s);
    d.hidden = !it.ok;
    it.node = d;
    d.addEventListener('toggle', function () { if (d.open) body(it); });
    return d;
  }

  // Opens a finding wherever it is folded: its rule's other causes, its fold, then itself.
  function reveal(it) {
    var fold = it.fold;
    if (!fold) return;
    placeFold(fold);
    if (fold.k >= SHOWN) fold.group.rest.open = true;
    if (it !== fold.items[0]) { members(fold); fold.more.open = true; }
    body(it);
    it.node.open = true;
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
      elsewhere.forEach(function (l) { add(ul, md(add(el('li'), el('span', 'loc', place(l.file, l.line, l.column)), ' '), l.message)); });
      add(b, ul);
    }
    if (f.help) add(b, md(add(el('div', 'help'), el('strong', null, 'help: ')), f.help));
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
      add(s, el('code', 'rule', r.id), ' ', el('span', 'badge ' + r.severity, r.severity), ' ', md(el('span'), r.summary));
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
    $('expand').addEventListener('click', function () { items.forEach(function (it) { if (it.ok) reveal(it); }); });
    $('collapse').addEventListener('click', function () {
      Array.prototype.forEach.call($('findings').querySelectorAll('details'), function (d) { d.open = false; });
    });
    apply();
  }

  function apply() {
    var q = $('q').value.trim().toLowerCase();
    var sev = { error: $('f-error').checked, warning: $('f-warning').checked };
    var status = $('f-status').value, rule = $('f-rule').value, file = $('f-file').value;
    var shown = 0;
    items.forEach(function (it) {
      var f = it.f;
      it.ok = sev[f.severity] !== false &&
        (!status || it.status === status) &&
        (!rule || f.rule === rule) &&
        (!file || f.file === file) &&
        (!q || it.text.indexOf(q) >= 0);
      if (it.node && it.node.hidden === it.ok) it.node.hidden = !it.ok;
      if (it.ok) shown++;
    });
    groups.forEach(function (group) {
      var n = 0, restFolds = 0, restFindings = 0;
      group.folds.forEach(function (fold, k) {
        var m = show(fold);
        n += m;
        if (k >= SHOWN && m) { restFolds++; restFindings += m; }
      });
      group.node.hidden = n === 0;
      var all = group.g.count;
      // The causes are named only when some are shared (fewer causes than findings).
      group.count.textContent = (n === all ? plural(all, 'finding', 'findings') : fmt(n) + ' of ' + fmt(all) + ' findings') +
        (group.folds.length < all ? ' · ' + plural(group.folds.length, 'cause', 'causes') : '');
      if (group.rest) {
        group.rest.hidden = restFolds === 0;
        group.restSummary.textContent = 'and ' + plural(restFolds, 'more cause', 'more causes') + ' (' + plural(restFindings, 'finding', 'findings') + ')';
      }
    });
    $('shown').textContent = 'showing ' + fmt(shown) + ' of ' + fmt(items.length);
    $('none').hidden = shown > 0 || items.length === 0;
    if (items.length === 0) { $('none').hidden = false; $('none').textContent = 'No findings.'; }
    root.setAttribute('data-shown', String(shown));
  }

  // Shows a fold as far as the filters let it: its first finding if it matches, and the
  // number of its other findings that match on its toggle. Returns how many match.
  function show(fold) {
    var first = fold.items[0];
    var others = 0;
    fold.items.forEach(function (it, i) { if (i > 0 && it.ok) others++; });
    var n = others + (first.ok ? 1 : 0);
    fold.node.hidden = n === 0;
    if (fold.more) {
      fold.more.hidden = others === 0;
      fold.summary.textContent = '';
      md(fold.summary, (first.ok ? 'and ' + fmt(others) + ' more' : plural(others, 'finding', 'findings')) +
        ' with the same cause: ' + (fold.cause || ''));
    }
    return n;
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
