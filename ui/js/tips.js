// One tooltip for the window. On hover (after a moment) and at once on
// keyboard focus it shows what an element's `data-tip` says and, for a list
// cell whose text is cut, the whole text. Esc hides it without moving focus;
// scrolling hides it. The pointer may move onto it (to read or select it):
// it stays until the pointer has left both. Text only.

const HOVER_DELAY = 400;
/** Time to cross the gap between an element and its tip. */
const LEAVE_GRACE = 300;
const CELL = '.account-row > [role="gridcell"]';

let tip = null;
let anchor = null;
let timer = 0;
let leaving = 0;
/** The tip shows for keyboard focus: Esc hides it and does nothing else. */
let forFocus = false;

function element() {
  if (!tip) {
    tip = document.createElement('div');
    tip.id = 'tip';
    tip.className = 'tip';
    tip.setAttribute('role', 'tooltip');
    tip.hidden = true;
  }
  return tip;
}

/**
 * Where the tip lives while shown: an open modal dialog (the top layer would
 * cover it anywhere else), else the screen shown. Inside a landmark, a screen
 * reader's region navigation finds it; the tip is fixed to the viewport, and
 * neither a dialog nor a screen is a containing block, so it shows the same.
 */
function host() {
  return document.querySelector('dialog[open]') || document.querySelector('main:not([hidden])') || document.body;
}

/** Whether any part of a cell is cut (an ellipsis, or text past its edge). */
export function isCut(cell) {
  return [cell, ...cell.querySelectorAll('*')].some((el) => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1);
}

/** What an element's tip says (its cell's whole text when cut, then its own tip), or ''. */
export function tipText(el) {
  const own = el.closest('[data-tip]');
  const cell = el.closest(CELL);
  const ownText = own && (!cell || cell.contains(own) || own.contains(cell)) ? own.dataset.tip : '';
  const whole = cell && isCut(cell) ? cell.innerText.replace(/\s+/g, ' ').trim() : '';
  return [whole, ownText !== whole ? ownText : ''].filter(Boolean).join('\n');
}

function place(target) {
  const box = target.getBoundingClientRect();
  const el = element();
  const { innerWidth, innerHeight } = window;
  const width = el.offsetWidth;
  const height = el.offsetHeight;
  const below = box.bottom + 6 + height <= innerHeight;
  el.style.top = `${Math.max(4, below ? box.bottom + 6 : box.top - 6 - height)}px`;
  el.style.left = `${Math.min(Math.max(4, box.left), Math.max(4, innerWidth - width - 4))}px`;
}

/** Shows the tip for `target` (nothing when it has none). */
export function showTip(target, { describe = false } = {}) {
  hideTip();
  const text = tipText(target);
  if (!text) return;
  const el = element();
  const home = host();
  if (el.parentElement !== home) home.append(el);
  el.textContent = text;
  el.hidden = false;
  place(target);
  anchor = target;
  forFocus = describe;
  // A focused element's own tip (not its visible text) is its description too.
  if (describe && target.dataset.tip) target.setAttribute('aria-describedby', 'tip');
}

export function hideTip() {
  clearTimeout(timer);
  hideShown();
}

/** Hides the tip shown (a tip waiting to show still may). */
function hideShown() {
  endGrace();
  if (anchor) anchor.removeAttribute('aria-describedby');
  anchor = null;
  if (tip) tip.hidden = true;
}

function hoverTarget(el) {
  return el && el.closest && (el.closest('[data-tip]') || el.closest(CELL));
}

function onTip(el) {
  return Boolean(tip && el && tip.contains(el));
}

/** Ends the grace for crossing to the tip (the pointer is back, or the tip goes now). */
function endGrace() {
  clearTimeout(leaving);
  leaving = 0;
}

document.addEventListener('pointerover', (event) => {
  const target = hoverTarget(event.target);
  if (onTip(event.target) || (target && target === anchor)) {
    clearTimeout(timer);
    endGrace();
    return;
  }
  clearTimeout(timer);
  // On the way to the tip the pointer crosses other elements: the grace decides.
  if (!leaving) hideTip();
  if (target) timer = setTimeout(() => { if (target.matches(':hover')) showTip(target); }, HOVER_DELAY);
});
document.addEventListener('pointerout', (event) => {
  if (!anchor || forFocus || tip.hidden) return;
  const within = (el) => Boolean(el) && (anchor.contains(el) || onTip(el));
  if (!within(event.target) || within(event.relatedTarget)) return;
  endGrace();
  leaving = setTimeout(hideShown, LEAVE_GRACE);
});
document.addEventListener('focusin', (event) => {
  const target = event.target;
  if (target.matches && target.matches(`${CELL}, [data-tip]`)) showTip(target, { describe: true });
  else hideTip();
});
// A tip shown for the pointer stays (a click on it to select its text moves focus).
document.addEventListener('focusout', () => { if (forFocus) hideTip(); });
// A shown tip would be left behind; one still waiting checks the pointer is still there.
document.addEventListener('scroll', () => { if (tip && !tip.hidden) hideTip(); }, { capture: true, passive: true });
window.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || !tip || tip.hidden) return;
  const consumed = forFocus;
  hideTip();
  if (!consumed) return;
  event.stopImmediatePropagation();
  event.preventDefault();
}, { capture: true });
