// Keyboard and selection on the accounts list: arrows move between the
// rows shown, Shift+arrow and Shift+click extend the selection from its
// anchor, Space toggles a row, Ctrl/Cmd+A selects every row shown, Home/End
// jump. One row at a time is in the tab order (a roving tabindex).

const SELECTED = 'aria-selected';

export class RowKeys {
  constructor(table) {
    this.table = table;
    this.anchor = null;
    table.addEventListener('keydown', (event) => this.onKey(event));
    table.addEventListener('focusin', (event) => {
      const row = event.target.closest('.account-row');
      if (row) this.makeCurrent(row);
    });
  }

  /** The rows shown, top to bottom. */
  rows() {
    return [...this.table.querySelectorAll('.account-row')].filter((row) => !row.hidden && row.offsetParent !== null);
  }

  makeCurrent(row) {
    for (const other of this.table.querySelectorAll('.account-row[tabindex="0"]')) {
      if (other !== row) other.tabIndex = -1;
    }
    row.tabIndex = 0;
  }

  focus(row) {
    this.makeCurrent(row);
    row.focus();
    row.scrollIntoView({ block: 'nearest' });
  }

  /** A click: select the row (Ctrl/Cmd adds it, Shift extends to it). */
  click(row, { additive, extend }) {
    if (extend && this.anchor && this.anchor.isConnected) {
      this.selectRange(this.anchor, row, additive);
    } else {
      if (!additive) this.clear();
      row.setAttribute(SELECTED, row.getAttribute(SELECTED) === 'true' ? 'false' : 'true');
      this.anchor = row;
    }
    this.makeCurrent(row);
  }

  clear() {
    for (const row of this.table.querySelectorAll(`.account-row[${SELECTED}="true"]`)) row.setAttribute(SELECTED, 'false');
  }

  selectAll() {
    for (const row of this.rows()) row.setAttribute(SELECTED, 'true');
  }

  selectRange(from, to, keep) {
    const rows = this.rows();
    const [a, b] = [rows.indexOf(from), rows.indexOf(to)].sort((x, y) => x - y);
    if (a < 0) return;
    if (!keep) this.clear();
    rows.slice(a, b + 1).forEach((row) => row.setAttribute(SELECTED, 'true'));
  }

  onKey(event) {
    const row = event.target.closest('.account-row');
    // Keys typed into a control inside the row (a menu, a button) are theirs.
    if (!row || event.target !== row) return;
    const rows = this.rows();
    const at = rows.indexOf(row);
    const to = {
      ArrowDown: rows[at + 1], ArrowUp: rows[at - 1], Home: rows[0], End: rows[rows.length - 1],
    }[event.key];
    if (to !== undefined) {
      event.preventDefault();
      if (!to) return;
      if (event.shiftKey) {
        if (!this.anchor || !this.anchor.isConnected) this.anchor = row;
        this.selectRange(this.anchor, to, false);
      }
      this.focus(to);
    } else if (event.key === ' ') {
      event.preventDefault();
      this.click(row, { additive: true, extend: false });
    }
  }
}
