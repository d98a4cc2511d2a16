// Cells of the accounts grid, for the keyboard: the grid is one Tab stop
// (its current row); from a row, → enters its cells, ←/→ walk them, ↑/↓ keep
// the column into the rows (and the header) above and below, Enter on a
// cell reaches its controls (Tab walks them, Esc comes back), and a cell
// whose only content is a button (refresh, a sortable header) focuses the
// button itself. Controls inside the grid are out of the page's tab order.

const CONTROLS = 'button, select, a[href], input';

/** The cells of a row (or the header) as shown, left to right. */
export function cellsOf(row) {
  return [...row.children].filter((c) => /^(grid|column)/.test(c.getAttribute('role') || '') && c.offsetWidth > 0);
}

/** The column a cell belongs to: its `col-*` class. */
export function columnOf(cell) {
  return [...cell.classList].find((c) => c.startsWith('col-')) || '';
}

function controlsOf(cell) {
  return [...cell.querySelectorAll(CONTROLS)].filter((c) => !c.hidden && !c.disabled && c.offsetWidth > 0);
}

/** What takes focus for a cell: its button when that is all it holds, else the cell. */
export function entryOf(cell) {
  const controls = controlsOf(cell);
  const sole = controls.length === 1 && controls[0].textContent.trim() === cell.textContent.trim();
  if (sole) return controls[0];
  if (!cell.hasAttribute('tabindex')) cell.tabIndex = -1;
  return cell;
}

/** The cell an element is in (the cell itself, or the sole button it holds). */
export function cellOf(el) {
  const cell = el.closest('[role="gridcell"], [role="columnheader"]');
  if (!cell) return null;
  return el === cell || entryOf(cell) === el ? cell : null;
}

/** Takes every control inside `root` out of the tab order (a row filled again, the header). */
export function untab(root) {
  for (const control of root.querySelectorAll(CONTROLS)) {
    if (control.tabIndex !== -1) control.tabIndex = -1;
  }
}

/** Enter on a cell: its controls join the tab order until focus leaves the cell. */
export function enterControls(cell) {
  const controls = controlsOf(cell);
  if (controls.length === 0) return false;
  controls.forEach((c) => { c.tabIndex = 0; });
  const leave = (event) => {
    if (cell.contains(event.relatedTarget)) return;
    cell.removeEventListener('focusout', leave);
    untab(cell);
  };
  cell.addEventListener('focusout', leave);
  controls[0].focus();
  return true;
}

/** The cell in `row` in the same column as `cell` (or the nearest shown one). */
export function sameColumn(row, column) {
  const cells = cellsOf(row);
  return cells.find((c) => c.classList.contains(column)) || cells[0] || null;
}

/** Where ←/→/Home/End take the keyboard from `cell` within its row; null: back to the row. */
export function stepAlong(key, cell) {
  const cells = cellsOf(cell.parentElement);
  const at = cells.indexOf(cell);
  const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: cells.length - 1 }[key];
  if (to === undefined) return undefined;
  if (to < 0) return null;
  return cells[Math.min(to, cells.length - 1)];
}
