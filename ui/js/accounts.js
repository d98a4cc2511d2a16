// The account list: every account's view in memory, only the rows on screen
// (plus a few either side) in the DOM. Rows have one height per density, so
// a row's place is its index times that height and scrolling never measures.
// Rows are reused as the window moves; filling is text only (rows.js).

import { LOCALE, plural, statusRank } from './format.js';
import { severityRank } from './flags.js';
import { moneyAtRisk, runsOutIn } from './money.js';
import { fillRow, refreshedText, setText } from './rows.js';
import { untab } from './grid-cells.js';

/** Rows drawn above and below the screen, so a fast scroll shows no gap. */
const OVERSCAN = 8;

const collator = new Intl.Collator(LOCALE, { sensitivity: 'base', numeric: true });

function number(value) {
  return value === null || value === undefined ? -Infinity : Number(value);
}

const SORTS = {
  name: (a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  status: (a, b) => statusRank(a) - statusRank(b) || SORTS.name(a, b),
  today: (a, b) => number(b.spend_today) - number(a.spend_today) || SORTS.name(a, b),
  last30: (a, b) => number(b.spend_last_30d) - number(a.spend_last_30d) || SORTS.name(a, b),
  lifetime: (a, b) => number(b.amount_spent) - number(a.amount_spent) || SORTS.name(a, b),
  runs_out: (a, b) => runsOutIn(a) - runsOutIn(b) || SORTS.name(a, b),
  ads: (a, b) => adsRank(b) - adsRank(a) || SORTS.name(a, b),
  refreshed: (a, b) => (Date.parse(a.refreshed_at || 0) || 0) - (Date.parse(b.refreshed_at || 0) || 0) || SORTS.name(a, b),
};

/** Which way each sort runs before it is reversed (for `aria-sort`): names
 * A→Z, the worst status first, the biggest spend first, what runs out
 * soonest first, the stalest refresh first. */
export const SORT_DIRECTION = {
  name: 'ascending',
  status: 'ascending',
  today: 'descending',
  last30: 'descending',
  lifetime: 'descending',
  runs_out: 'ascending',
  ads: 'descending',
  refreshed: 'ascending',
};

/** Most ads held back first, then those nearest their limit. */
function adsRank(a) {
  const ads = a.ads || {};
  const level = { reached: 3, near: 2, lowering: 1 }[ads.limit_level] || 0;
  return (Number(ads.cannot_run) || 0) * 4 + level;
}

const FILTERS = {
  all: () => true,
  attention: (a) => a.needs_attention,
  blocking: (a) => a.needs_attention && a.severity === 'blocking',
  active: (a) => a.status === 'active' && a.reach !== 'no_longer_accessible',
  not_active: (a) => a.status !== 'active',
  money: (a) => moneyAtRisk(a),
  ads: (a) => Boolean(a.ads && (a.ads.cannot_run || a.ads.limit_level === 'reached' || a.ads.limit_level === 'near')),
  failed: (a) => Boolean(a.error),
  lost: (a) => a.reach === 'no_longer_accessible',
  new: (a) => a.is_new,
};

const GROUPS = ['attention', 'rest'];

function searchKey(a) {
  const logins = (a.logins || []).map((l) => l.name).join('\n');
  return `${a.name}\n${a.id}\n${a.business ? a.business.name : 'personal'}\n${logins}`.toLowerCase();
}

/** Puts a group's drawn rows in the order they show (recycled rows are
 * attached at the end): screen readers and the DOM read top to bottom.
 * The row with focus keeps it. */
function inScreenOrder(box) {
  const rows = [...box.children];
  if (rows.every((el, i) => i === 0 || rows[i - 1].index < el.index)) return;
  const active = document.activeElement;
  box.append(...rows.sort((a, b) => a.index - b.index));
  if (active && active !== document.activeElement && box.contains(active)) active.focus({ preventScroll: true });
}

export class AccountList {
  /**
   * `viewport`: the scrolling element; `table`: the grid; `groups`: per
   * group its element, its rows' box and its count; `template`: a row.
   */
  constructor({ viewport, table, template, groups, empty, onEmpty, onViews = () => {} }) {
    this.viewport = viewport;
    this.table = table;
    this.template = template;
    this.groups = groups;
    this.empty = empty;
    this.onEmpty = onEmpty;
    /** Told of accounts taken in: `(views, whole)`, whole when they are every account. */
    this.onViews = onViews;
    this.rows = new Map(); // id -> { view, key }
    this.sorted = []; // every id, in order
    this.order = { attention: [], rest: [] }; // the ids shown, per group
    this.rendered = new Map(); // id -> element
    this.spare = [];
    this.query = '';
    this.filter = 'all';
    this.sort = 'name';
    /** The sort runs the other way (a second click on its column). */
    this.reversed = false;
    this.busy = new Set();
    this.queued = new Set();
    this.selected = new Set();
    /** The row in the tab order (the keyboard's place). */
    this.current = null;
    this.namesLogins = false;
    this.comfortable = false;
    /** Rows whose set-aside reasons are listed. */
    this.showingAside = new Set();
    /** Bumped when every drawn row must be filled again. */
    this.generation = 0;
    this.rowHeight = 34;
    this.frame = 0;
    // A row's height follows the text size (rem): measured, then set in whole pixels.
    this.probe = document.createElement('div');
    this.probe.className = 'row-probe';
    table.append(this.probe);
    viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => this.schedule()).observe(viewport);
      new ResizeObserver(() => {
        if (this.measureRows()) this.redraw();
        this.onViews(null, true);
      }).observe(this.probe);
    }
  }

  /** Reads the density's row height; true when it changed (and the groups were resized). */
  measureRows() {
    const height = Math.round(this.probe.getBoundingClientRect().height) || (this.comfortable ? 96 : 34);
    if (height === this.rowHeight && this.table.style.getPropertyValue('--row-height')) return false;
    this.rowHeight = height;
    this.table.style.setProperty('--row-height', `${height}px`);
    this.layout();
    return true;
  }

  /** Names the logins on each row (when there are several logins). */
  setNamesLogins(on) {
    if (this.namesLogins === on) return;
    this.namesLogins = on;
    this.redraw();
  }

  /** Dense (one line) or comfortable (tall) rows. */
  setComfortable(on) {
    this.comfortable = Boolean(on);
    this.table.classList.toggle('comfortable', this.comfortable);
    this.measureRows();
    this.layout();
    this.redraw();
  }

  /** Lists (or hides) the reasons set aside on one row. */
  toggleAside(id) {
    if (this.showingAside.has(id)) this.showingAside.delete(id); else this.showingAside.add(id);
    this.forget(id);
    this.render();
  }

  /** Replaces every account (first paint, or a new mode). */
  setAll(views) {
    this.rows.clear();
    for (const view of views) this.rows.set(view.id, { view, key: searchKey(view) });
    for (const id of [...this.selected]) if (!this.rows.has(id)) this.selected.delete(id);
    this.onViews(views, true);
    this.arrange();
  }

  /** Updates the given accounts (adds new ones); an older copy never wins. */
  update(views) {
    let moved = false;
    for (const view of views) {
      const existing = this.rows.get(view.id);
      if (existing && (view.revision ?? 0) < (existing.view.revision ?? 0)) continue;
      if (existing && existing.view.revision !== view.revision) this.queued.delete(view.id);
      if (!moved && existing && this.staysInPlace(existing.view, view)) {
        existing.view = view;
        existing.key = searchKey(view);
        this.forget(view.id);
      } else {
        this.rows.set(view.id, { view, key: searchKey(view) });
        moved = true;
      }
    }
    this.onViews(views, false);
    if (moved) this.arrange(); else this.render();
  }

  /** Every account's view. */
  views() {
    return [...this.rows.values()].map((r) => r.view);
  }

  /** Whether a new copy keeps its group, its filter match and its place. */
  staysInPlace(old, view) {
    const match = (a) => FILTERS[this.filter](a) && (!this.query || searchKey(a).includes(this.query));
    if (old.needs_attention !== view.needs_attention || old.severity !== view.severity) return false;
    if (match(old) !== match(view)) return false;
    if (!match(view)) return true;
    const ids = this.order[view.needs_attention ? 'attention' : 'rest'];
    const at = ids.indexOf(view.id);
    if (at < 0) return false;
    const compare = this.comparator();
    const before = at > 0 ? this.rows.get(ids[at - 1]).view : null;
    const after = at + 1 < ids.length ? this.rows.get(ids[at + 1]).view : null;
    return (!before || compare(before, view) <= 0) && (!after || compare(view, after) <= 0);
  }

  setQuery(query) {
    this.query = query.trim().toLowerCase();
    this.arrange(false);
  }

  setFilter(filter) {
    this.filter = FILTERS[filter] ? filter : 'all';
    this.arrange(false);
  }

  setSort(sort, reversed = false) {
    this.sort = SORTS[sort] ? sort : 'name';
    this.reversed = Boolean(reversed);
    this.arrange();
  }

  /** The direction the rows run in now, as `aria-sort` says it. */
  sortDirection() {
    const natural = SORT_DIRECTION[this.sort];
    if (!this.reversed) return natural;
    return natural === 'ascending' ? 'descending' : 'ascending';
  }

  /** Every row waits for its turn in a refresh-all (cleared as rows arrive). */
  markAllQueued() {
    this.queued = new Set(this.rows.keys());
    this.render();
  }

  clearQueued() {
    this.queued.clear();
    this.render();
  }

  setBusy(id, busy) {
    if (busy) this.busy.add(id); else this.busy.delete(id);
    this.render();
  }

  get(id) {
    const row = this.rows.get(id);
    return row && row.view;
  }

  get size() {
    return this.rows.size;
  }

  /** Ids of the rows shown (filtered), top to bottom. */
  visibleIds() {
    return [...this.order.attention, ...this.order.rest];
  }

  selectedIds() {
    return this.visibleIds().filter((id) => this.selected.has(id));
  }

  setSelection(ids) {
    this.selected = new Set(ids);
    this.render();
  }

  /** Puts a row in the tab order (and keeps it drawn while it has focus). */
  setCurrent(id) {
    this.current = id;
    this.render();
  }

  /** Scrolls a row into view and focuses it; returns its element. */
  reveal(id, focus = false) {
    const place = this.placeOf(id);
    if (!place) return null;
    const head = this.table.querySelector('.head-row');
    // A group's first row brings its heading along.
    const top = place.index === 0 ? this.groups[place.group].el.offsetTop : place.top;
    const bottom = place.top + this.rowHeight;
    const view = this.viewport;
    const covered = head ? head.offsetHeight : 0;
    if (top - covered < view.scrollTop) view.scrollTop = Math.max(0, top - covered);
    else if (bottom > view.scrollTop + view.clientHeight) view.scrollTop = bottom - view.clientHeight;
    this.render();
    const el = this.rendered.get(id) || null;
    if (el && focus) el.focus({ preventScroll: true });
    return el;
  }

  /** Where a shown row sits in the scrolling element. */
  placeOf(id) {
    for (const name of GROUPS) {
      const at = this.order[name].indexOf(id);
      if (at >= 0) return { group: name, index: at, top: this.groups[name].rows.offsetTop + at * this.rowHeight };
    }
    return null;
  }

  comparator() {
    const base = SORTS[this.sort];
    return this.reversed ? (a, b) => base(b, a) : base;
  }

  /** Sorts (unless only the filter changed), filters into the two groups
   * (needs attention first, blocking before warnings) and draws. */
  arrange(resort = true) {
    if (resort || this.sorted.length !== this.rows.size) {
      const compare = this.comparator();
      const bySeverity = (a, b) => severityRank(b.severity) - severityRank(a.severity);
      const views = [...this.rows.values()].map((r) => r.view);
      views.sort((a, b) => (a.needs_attention && b.needs_attention ? bySeverity(a, b) : 0) || compare(a, b));
      this.sorted = views.map((v) => v.id);
    }
    const filter = FILTERS[this.filter];
    this.order = { attention: [], rest: [] };
    for (const id of this.sorted) {
      const row = this.rows.get(id);
      if (!row || !filter(row.view) || (this.query && !row.key.includes(this.query))) continue;
      this.order[row.view.needs_attention ? 'attention' : 'rest'].push(id);
    }
    this.layout();
    this.refreshCounts();
    this.redraw();
  }

  /** Sizes each group's box for its rows. */
  layout() {
    for (const name of GROUPS) {
      const height = `${this.order[name].length * this.rowHeight}px`;
      if (this.groups[name].rows.style.height !== height) this.groups[name].rows.style.height = height;
    }
    // The header, each group's heading, the rows.
    this.table.setAttribute('aria-rowcount', String(this.visibleIds().length + 3));
    this.table.dataset.shown = String(this.visibleIds().length);
    this.table.dataset.accounts = String(this.rows.size);
  }

  refreshCounts() {
    const total = { attention: 0, rest: 0 };
    for (const { view } of this.rows.values()) total[view.needs_attention ? 'attention' : 'rest'] += 1;
    const label = (shown, all) => (shown === all ? plural(all, 'account', 'accounts') : `${shown.toLocaleString(LOCALE)} of ${plural(all, 'account', 'accounts')}`);
    for (const name of GROUPS) {
      setText(this.groups[name].count, label(this.order[name].length, total[name]));
      this.groups[name].el.hidden = this.order[name].length === 0;
    }
    const nothing = this.visibleIds().length === 0;
    this.empty.hidden = !nothing;
    if (nothing) this.onEmpty(this.rows.size === 0);
  }

  /** Fills every drawn row again on the next draw. */
  redraw() {
    this.generation += 1;
    this.render();
  }

  forget(id) {
    const el = this.rendered.get(id);
    if (el) el.filled = null;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Draws the rows inside the viewport (and the current row), reusing elements. */
  render() {
    // Not laid out (its screen is hidden): drawn when it shows (the resize observer).
    if (!this.viewport.clientHeight) return;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight;
    const keep = new Set();
    const shown = this.visibleIds();
    this.tabbable = this.current && shown.includes(this.current) ? this.current : shown[0];
    let index = 1; // aria-rowindex: the header row is 1, each group's heading has one
    for (const name of GROUPS) {
      const ids = this.order[name];
      const box = this.groups[name].rows;
      const head = index + 1;
      this.groups[name].el.firstElementChild.setAttribute('aria-rowindex', String(head));
      if (ids.length) {
        const offset = box.offsetTop;
        const first = Math.max(0, Math.floor((top - offset) / this.rowHeight) - OVERSCAN);
        const last = Math.min(ids.length, Math.ceil((top + height - offset) / this.rowHeight) + OVERSCAN);
        for (let i = first; i < last; i += 1) {
          keep.add(ids[i]);
          this.draw(ids[i], i, box, head + 1 + i);
        }
        const current = this.current ? ids.indexOf(this.current) : -1;
        if (current >= 0 && !keep.has(this.current)) {
          keep.add(this.current);
          this.draw(this.current, current, box, head + 1 + current);
        }
      }
      index = head + ids.length;
    }
    for (const [id, el] of this.rendered) {
      if (keep.has(id)) continue;
      el.remove();
      this.rendered.delete(id);
      this.spare.push(el);
    }
    for (const name of GROUPS) inScreenOrder(this.groups[name].rows);
  }

  draw(id, i, box, rowIndex) {
    let el = this.rendered.get(id);
    if (!el) {
      el = this.spare.pop() || this.template.content.firstElementChild.cloneNode(true);
      el.filled = null;
      this.rendered.set(id, el);
    }
    if (el.parentNode !== box) box.appendChild(el);
    const y = `${i * this.rowHeight}px`;
    if (el.style.top !== y) el.style.top = y;
    const { view } = this.rows.get(id);
    const filled = `${this.generation}`;
    if (el.filled !== filled || el.view !== view) {
      fillRow(el, view, { namesLogins: this.namesLogins, showAside: this.showingAside.has(id), comfortable: this.comfortable });
      // Unless a cell's controls were entered with Enter (grid-cells.js).
      if (!el.contains(document.activeElement)) untab(el);
      el.filled = filled;
      el.view = view;
    }
    el.setAttribute('aria-rowindex', String(rowIndex));
    el.index = i;
    const busy = this.busy.has(id);
    const queued = this.queued.has(id);
    el.classList.toggle('refreshing', busy);
    el.classList.toggle('queued', queued);
    el.setAttribute('aria-busy', busy || queued ? 'true' : 'false');
    el.querySelector('.row-refresh').disabled = busy;
    el.setAttribute('aria-selected', this.selected.has(id) ? 'true' : 'false');
    el.tabIndex = id === this.tabbable ? 0 : -1;
  }

  /** Re-renders relative times (called every minute). */
  tick() {
    const now = Date.now();
    for (const el of this.rendered.values()) {
      if (el.view) setText(el.querySelector('time'), refreshedText(el.view, now));
    }
  }
}
