// Keyboard and selection on the accounts list, kept as account ids (rows
// come and go as the list scrolls): arrows move between the rows shown,
// Shift+arrow and Shift+click extend the selection from its anchor, Space
// toggles a row, Enter opens its details, Ctrl/Cmd+A selects every row
// shown, Home/End and Page Up/Down jump, → enters the row's cells
// (grid-cells.js). One row at a time is in the tab order (a roving
// tabindex); nothing else in the grid is.

import {
  cellOf, cellsOf, columnOf, enterControls, entryOf, sameColumn, stepAlong, untab,
} from './grid-cells.js';

export class RowKeys {
  /** `onOpen(id)`: Enter on a row; `onMove(id)`: the keyboard's row changed. */
  constructor(list, { onOpen, onMove }) {
    this.list = list;
    this.onOpen = onOpen;
    this.onMove = onMove;
    this.anchor = null;
    list.table.addEventListener('keydown', (event) => this.onKey(event));
    untab(list.table.querySelector('.head-row'));
    list.table.addEventListener('focusin', (event) => {
      const row = event.target.closest('.account-row');
      if (row && row.dataset.id !== list.current) list.setCurrent(row.dataset.id);
    });
  }

  focus(id) {
    this.list.setCurrent(id);
    this.list.reveal(id, true);
    this.onMove(id);
  }

  /** A click: select the row (Ctrl/Cmd adds it, Shift extends to it). */
  click(id, { additive, extend }) {
    const selected = new Set(additive || extend ? this.list.selected : []);
    if (extend && this.anchor && this.list.placeOf(this.anchor)) {
      this.range(this.anchor, id).forEach((each) => selected.add(each));
    } else {
      if (this.list.selected.has(id) && additive) selected.delete(id); else selected.add(id);
      this.anchor = id;
    }
    this.list.setSelection(selected);
    this.list.setCurrent(id);
  }

  /** Space: toggles the row the keyboard is on. */
  toggle(id) {
    const selected = new Set(this.list.selected);
    if (selected.has(id)) selected.delete(id); else selected.add(id);
    this.anchor = id;
    this.list.setSelection(selected);
  }

  clear() {
    this.list.setSelection([]);
  }

  selectAll() {
    this.list.setSelection(this.list.visibleIds());
  }

  /** The shown ids from one row to another, either way round. */
  range(from, to) {
    const ids = this.list.visibleIds();
    const [a, b] = [ids.indexOf(from), ids.indexOf(to)].sort((x, y) => x - y);
    return a < 0 ? [] : ids.slice(a, b + 1);
  }

  /** Where a key takes the keyboard from `at` (an index in `ids`). */
  target(key, ids, at) {
    const page = Math.max(1, Math.floor(this.list.viewport.clientHeight / this.list.rowHeight) - 1);
    const to = {
      ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: ids.length - 1, PageDown: at + page, PageUp: at - page,
    }[key];
    if (to === undefined) return undefined;
    return ids[Math.min(Math.max(to, 0), ids.length - 1)];
  }

  onKey(event) {
    const row = event.target.closest('.account-row, .head-row');
    if (!row) return;
    if (event.target === row) {
      this.onRowKey(event, row);
      return;
    }
    const cell = cellOf(event.target);
    if (cell) {
      this.onCellKey(event, row, cell);
    } else if (event.key === 'Escape') {
      // From a cell's controls back to the cell.
      const home = event.target.closest('[role="gridcell"]');
      if (!home) return;
      event.preventDefault();
      event.stopPropagation();
      untab(home);
      entryOf(home).focus();
    }
  }

  onRowKey(event, row) {
    const id = row.dataset.id;
    const ids = this.list.visibleIds();
    const to = this.target(event.key, ids, ids.indexOf(id));
    if (to !== undefined) {
      event.preventDefault();
      if (event.shiftKey) {
        if (!this.anchor || !ids.includes(this.anchor)) this.anchor = id;
        this.list.setSelection(this.range(this.anchor, to));
      }
      this.focus(to);
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      const first = cellsOf(row)[0];
      if (first) entryOf(first).focus();
    } else if (event.key === ' ') {
      event.preventDefault();
      this.toggle(id);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      this.onOpen(id);
    }
  }

  onCellKey(event, row, cell) {
    const header = row.classList.contains('head-row');
    const along = stepAlong(event.key, cell);
    if (along !== undefined) {
      event.preventDefault();
      if (along) entryOf(along).focus();
      else if (!header) row.focus();
      return;
    }
    const column = columnOf(cell);
    const ids = this.list.visibleIds();
    if (header) {
      if (event.key === 'ArrowDown' && ids.length) {
        event.preventDefault();
        this.focusCell(ids[0], column);
      }
      return;
    }
    const at = ids.indexOf(row.dataset.id);
    if (event.key === 'ArrowUp' && at === 0) {
      event.preventDefault();
      const head = sameColumn(this.list.table.querySelector('.head-row'), column);
      if (head) entryOf(head).focus();
      return;
    }
    const to = this.target(event.key, ids, at);
    if (to !== undefined) {
      event.preventDefault();
      this.focusCell(to, column);
    } else if (event.target === cell) {
      this.onCellAction(event, row, cell);
    }
  }

  /** Enter, Space and Esc on a cell (a sole button keeps its own Enter and Space). */
  onCellAction(event, row, cell) {
    if (event.key === 'Enter') {
      event.preventDefault();
      if (!enterControls(cell)) this.onOpen(row.dataset.id);
    } else if (event.key === ' ') {
      event.preventDefault();
      this.toggle(row.dataset.id);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      row.focus();
    }
  }

  /** The keyboard to a row's cell in `column`. */
  focusCell(id, column) {
    this.list.setCurrent(id);
    const el = this.list.reveal(id);
    const cell = el && sameColumn(el, column);
    if (cell) entryOf(cell).focus({ preventScroll: true });
    this.onMove(id);
  }
}
