// Notices above the list: one line, the most severe first, with "+N more"
// to open the rest, so the chrome yields to the accounts.

const RANK = { error: 0, warning: 1, info: 2 };

function item(notice, onDismiss) {
  const li = document.createElement('li');
  li.className = 'notice';
  li.dataset.level = notice.level;
  const text = document.createElement('span');
  text.className = 'notice-text';
  text.textContent = notice.text;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'link';
  close.textContent = 'Dismiss';
  close.addEventListener('click', () => onDismiss(notice));
  li.append(text, close);
  return li;
}

/**
 * Draws `notices` into `root`: all of them when `expanded` or when there is
 * one; else the most severe (the newest of its level) and a toggle naming
 * how many more wait.
 */
export function renderNotices(root, notices, { expanded, onDismiss, onToggle }) {
  const ordered = notices
    .map((n, index) => ({ n, index }))
    .sort((a, b) => (RANK[a.n.level] ?? 3) - (RANK[b.n.level] ?? 3) || b.index - a.index)
    .map(({ n }) => n);
  const items = ordered.map((n) => item(n, onDismiss));
  if (items.length > 1) {
    items.slice(1).forEach((li) => { li.hidden = !expanded; });
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'link notices-toggle';
    toggle.setAttribute('aria-expanded', String(Boolean(expanded)));
    toggle.textContent = expanded ? 'Show fewer' : `+${(items.length - 1).toLocaleString('en-US')} more`;
    toggle.addEventListener('click', () => onToggle(!expanded));
    items[0].append(toggle);
  }
  root.replaceChildren(...items);
}
