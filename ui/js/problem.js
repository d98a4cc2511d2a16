// The problem page: which reason, what it means, one button that fixes it or
// a countdown to when it fixes itself, and the details Meta support asks for.

import { fullTime } from './format.js';
import { ACTION_LABELS } from './contract.js';

export class ProblemPage {
  constructor(root, { onAction, onCopy }) {
    this.root = root;
    this.onAction = onAction;
    this.onCopy = onCopy;
    this.timer = null;
    this.problem = null;
    root.querySelector('#problem-primary').addEventListener('click', () => this.problem && this.onAction(this.problem.action, this.problem, this.login));
    root.querySelector('#problem-secondary').addEventListener('click', () => this.problem && this.onAction('reauthenticate', this.problem, this.login));
    root.querySelector('#copy-details').addEventListener('click', () => this.problem && this.onCopy(this.detailsText()));
  }

  /**
   * `note`: what this means among several logins (empty with one);
   * `login`: the login it is about, which Reauthenticate renews.
   */
  show(problem, profile, note = '', login = null) {
    this.problem = problem;
    this.login = login;
    const $ = (id) => this.root.querySelector(id);
    const several = Boolean(note);
    $('.problem-kicker').textContent = several && login && !note.startsWith('Every')
      ? 'Adkeep can\'t reach some of your ad accounts'
      : 'Adkeep can\'t reach your ad accounts';
    const noteEl = $('#problem-login-note');
    noteEl.hidden = !several;
    noteEl.textContent = note;
    $('#problem-title').textContent = problem.title;
    $('#problem-explanation').textContent = problem.explanation;
    const user = $('#problem-user');
    user.hidden = !profile;
    if (profile) user.textContent = `Logged in as ${profile.name} (${profile.id}).`;
    this.root.dataset.reason = problem.reason;
    const primary = $('#problem-primary');
    primary.textContent = ACTION_LABELS[problem.action] || 'Try again';
    // Not `data-action`: the page handles its own button (the window-wide
    // handler would run the fix a second time).
    primary.dataset.fix = problem.action;
    // After clearing a checkpoint or accepting terms, the login still needs renewing.
    const secondary = $('#problem-secondary');
    const offerReauth = ['open_facebook', 'accept_tos', 'open_account_quality'].includes(problem.action);
    secondary.hidden = !offerReauth;
    secondary.textContent = 'Reauthenticate';
    $('#detail-reason').textContent = problem.reason;
    $('#detail-code').textContent = problem.code ?? '—';
    $('#detail-subcode').textContent = problem.subcode ?? '—';
    $('#detail-trace').textContent = problem.fbtrace_id || '—';
    $('#detail-time').textContent = fullTime(problem.at);
    $('#detail-message').textContent = [problem.user_title, problem.user_msg, problem.message].filter(Boolean).join(' — ') || '—';
    $('#copy-result').textContent = '';
    this.startCountdown();
  }

  hide() {
    this.stopCountdown();
    this.problem = null;
    this.login = null;
  }

  detailsText() {
    const p = this.problem;
    return [
      `Adkeep problem: ${p.title}`,
      `reason: ${p.reason}`,
      `code: ${p.code ?? ''}`,
      `subcode: ${p.subcode ?? ''}`,
      `fbtrace_id: ${p.fbtrace_id ?? ''}`,
      `time: ${p.at}`,
      `message: ${p.message}`,
    ].join('\n');
  }

  startCountdown() {
    this.stopCountdown();
    const out = this.root.querySelector('#problem-countdown');
    const p = this.problem;
    if (!p || !p.retry_at || p.action !== 'wait') {
      out.hidden = true;
      return;
    }
    out.hidden = false;
    const update = () => {
      const left = Math.max(0, Math.round((Date.parse(p.retry_at) - Date.now()) / 1000));
      if (left === 0) {
        out.textContent = 'Access is back: retrying…';
        this.stopCountdown();
        this.onAction('refresh', p);
        return;
      }
      const minutes = Math.floor(left / 60);
      const seconds = left % 60;
      out.textContent = `Meta allows access again in ${minutes}:${String(seconds).padStart(2, '0')} — Adkeep retries by itself.`;
    };
    update();
    this.timer = setInterval(update, 1000);
  }

  stopCountdown() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
