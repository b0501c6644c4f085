/**
 * The custodian's key page (custody.pages.ts): makes an age X25519 identity on this device,
 * encrypts it with the custodian's passphrase (age scrypt, the CLI's format: `contracta custodian
 * open --identity FILE` and `age -d` read it), offers the encrypted file for saving and, only once
 * the custodian has taken the file, registers the public key (PUT …/custodian-keys/me). The
 * identity in clear lives in this function's variables only: never sent, never stored (no
 * localStorage), dropped as soon as it is encrypted (issue 4, protocol point 1).
 */
import {
  formatIdentityFile,
  generateCustodianKey,
  protectIdentity,
} from '../modules/sealing/custodian-key.js';
import { ApiError, api } from './api.js';
import { byId, type FieldProblem, message, showFieldErrors } from './dom.js';

type KeyAnswer = { fingerprint: string; recipient: string };

function showErrors(problems: FieldProblem[]): void {
  showFieldErrors(
    byId('keygen-errors'),
    [
      { name: 'passphrase', hint: true },
      { name: 'passphrase-confirm', hint: false },
    ],
    problems,
  );
}

function status(text: string): void {
  byId('keygen-status').textContent = text;
}

/** Lets the browser paint the status before scrypt keeps the main thread busy for a while. */
const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 30));

function apiMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const text = message(`error.${err.code}`);
    return text === `error.${err.code}` ? `${message('failed')} (${err.code})` : text;
  }
  return message('failed');
}

function start(): void {
  const section = document.getElementById('keygen');
  const form = document.getElementById('keygen-form');
  if (!section || !(form instanceof HTMLFormElement)) return;
  const authorityId = section.dataset.authority ?? '';
  const min = Number(section.dataset.min ?? '12');
  form.hidden = false;
  let busy = false;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    const passphrase = byId<HTMLInputElement>('passphrase');
    const confirm = byId<HTMLInputElement>('passphrase-confirm');
    const problems: FieldProblem[] = [];
    if (passphrase.value.length < min) problems.push({ field: 'passphrase', text: message('tooShort') });
    else if (confirm.value !== passphrase.value) {
      problems.push({ field: 'passphrase-confirm', text: message('mismatch') });
    }
    showErrors(problems);
    if (problems.length > 0) return;
    busy = true;
    void generate(passphrase.value).finally(() => {
      busy = false;
    });
    // The passphrase is not needed any more; the fields are emptied so it does not linger.
    passphrase.value = '';
    confirm.value = '';
  });

  async function generate(passphrase: string): Promise<void> {
    const button = byId<HTMLButtonElement>('keygen-generate');
    button.disabled = true;
    status(message('working'));
    await nextFrame();
    let armored: string;
    let recipient: string;
    let fingerprint: string;
    try {
      const key = await generateCustodianKey();
      recipient = key.recipient;
      fingerprint = key.fingerprint;
      armored = await protectIdentity(formatIdentityFile(key, new Date()), passphrase);
    } catch {
      button.disabled = false;
      status('');
      showErrors([{ field: 'passphrase', text: message('failed') }]);
      return;
    }
    const fileName = `contracta-custodian-${fingerprint}.age`;
    const url = URL.createObjectURL(new Blob([armored], { type: 'application/octet-stream' }));
    const link = byId<HTMLAnchorElement>('keygen-download');
    link.href = url;
    link.download = fileName;
    link.textContent = `${link.textContent ?? ''} (${fileName})`;
    byId('keygen-fingerprint').textContent = fingerprint;
    byId('keygen-recipient').textContent = recipient;
    byId('keygen-result').hidden = false;
    byId<HTMLFormElement>('keygen-form').hidden = true;
    status(message('ready'));
    link.focus();
    // Registration is offered only once the file was taken: a registered key whose file was never
    // saved could not open anything, and the custodian would find out only at the opening.
    link.addEventListener('click', () => {
      byId('keygen-register-step').hidden = false;
    });
    byId('keygen-register').addEventListener('click', () => void register(recipient, fingerprint));
  }

  async function register(recipient: string, fingerprint: string): Promise<void> {
    const button = byId<HTMLButtonElement>('keygen-register');
    button.disabled = true;
    status(message('registering'));
    try {
      const answer = await api<KeyAnswer>('PUT', `/authorities/${authorityId}/custodian-keys/me`, {
        json: { recipient },
      });
      byId('keygen-compare-local').textContent = fingerprint;
      byId('keygen-server-fingerprint').textContent = answer.fingerprint;
      byId('keygen-compare').hidden = false;
      const same = answer.fingerprint === fingerprint && answer.recipient === recipient;
      status(message(same ? 'registered' : 'differs'));
      const current = document.getElementById('key-fingerprint');
      if (current) current.textContent = answer.fingerprint;
      const none = document.getElementById('no-key');
      if (none) none.hidden = true;
      byId('keygen-register-step').hidden = true;
    } catch (err) {
      button.disabled = false;
      status('');
      showErrors([{ field: 'keygen-register', text: apiMessage(err) }]);
    }
  }
}

start();
