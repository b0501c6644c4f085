/**
 * The opening page for a key custodian (opening.pages.ts): loads the custodian's identity file
 * (unlocked here with the passphrase when it is protected), fetches their encrypted shares of one
 * envelope stage, checks each share's SHA-256 and that the key is the one the published notice
 * froze for their position, decrypts each share bound to {ocid, bid, envelope, index} and submits
 * the payloads. The same steps as `custodianOpen` in src/modules/bids/bid.cli.ts. The identity and
 * the passphrase stay in this page's memory; only the decrypted shares of this tender are sent.
 */
import { identityToRecipient } from 'age-encryption';
import { fromBase64, sha256Hex } from '../modules/sealing/bytes.js';
import { isProtectedIdentity, loadIdentity, recipientFingerprint } from '../modules/sealing/custodian-key.js';
import type { EnvelopeLetter } from '../modules/sealing/sealing.types.js';
import { encodeSharePayload, unwrapShare } from '../modules/sealing/shares.js';
import { DomainError } from '../platform/errors.js';
import { ApiError, api } from './api.js';
import { byId, type FieldProblem, message, showFieldErrors } from './dom.js';

type Mine = {
  envelope: EnvelopeLetter;
  custodianIndex: number;
  quorum: number;
  shares: { bidId: string; sha256: string; ciphertext: string }[];
};
type Notice = { notice: { sealing?: { custodians: { index: number; recipient: string }[] } } };
type Answer = {
  custodianIndex: number;
  quorum: number;
  custodiansSubmitted: number;
  opened: { record: { openedAt: string; bids: unknown[] }; recordSha256: string } | null;
};

/** A refusal worked out on this device, before anything is sent, with the field it concerns. */
class LocalProblem extends Error {
  constructor(
    readonly field: string,
    text: string,
  ) {
    super(text);
  }
}

const FIELDS = ['identity-file', 'identity-passphrase'].map((name) => ({ name, hint: true }));

/** Error summary at the top (WCAG 3.3.1) and the message next to the field it concerns. */
function showErrors(problems: FieldProblem[]): void {
  showFieldErrors(byId('open-errors'), FIELDS, problems);
}

function errorText(err: unknown): string {
  if (err instanceof ApiError || err instanceof DomainError) {
    const text = message(`error.${err.code}`);
    return text === `error.${err.code}` ? `${message('failed')} (${err.code})` : text;
  }
  return message('failed');
}

/**
 * The unlocked identity, kept for the page's lifetime so that B and C need no second scrypt run;
 * the passphrase itself is not kept (its field is emptied once it has unlocked the file).
 */
let unlocked: { file: File; identity: string } | undefined;

async function identityFromFields(): Promise<string> {
  const file = byId<HTMLInputElement>('identity-file').files?.[0];
  const field = byId<HTMLInputElement>('identity-passphrase');
  const passphrase = field.value;
  if (!file) throw new LocalProblem('identity-file', message('noFile'));
  if (unlocked && unlocked.file === file && passphrase.length === 0) return unlocked.identity;
  const text = await file.text();
  if (isProtectedIdentity(text) && passphrase.length === 0) {
    throw new LocalProblem('identity-passphrase', message('needPassphrase'));
  }
  try {
    const identity = await loadIdentity(text, isProtectedIdentity(text) ? passphrase : undefined);
    unlocked = { file, identity };
    field.value = '';
    return identity;
  } catch {
    throw new LocalProblem(
      isProtectedIdentity(text) ? 'identity-passphrase' : 'identity-file',
      message('badIdentity'),
    );
  }
}

async function openStage(tool: HTMLElement, envelope: EnvelopeLetter): Promise<void> {
  const authorityId = tool.dataset.authority ?? '';
  const tenderId = tool.dataset.tender ?? '';
  const ocid = tool.dataset.ocid ?? '';
  const result = byId(`result-${envelope}`);
  const button = byId<HTMLButtonElement>(`open-${envelope}`);
  button.disabled = true;
  result.textContent = message('working');
  showErrors([]);
  try {
    const identity = await identityFromFields();
    const recipient = await identityToRecipient(identity);
    const tenderPath = `/authorities/${authorityId}/tenders/${tenderId}`;
    // My position comes from the server; it is checked against the published (frozen) notice, so a
    // server cannot make me decrypt for another position or with another custodian's key.
    const notice = await api<Notice>('GET', `/tenders/${encodeURIComponent(ocid)}`);
    const mine = await api<Mine>('GET', `${tenderPath}/opening/${envelope}/shares/mine`);
    const published = notice.notice.sealing?.custodians.find((c) => c.index === mine.custodianIndex);
    if (!published || published.recipient !== recipient) {
      throw new LocalProblem(
        'identity-file',
        message('wrongKey', { index: mine.custodianIndex, fingerprint: recipientFingerprint(recipient) }),
      );
    }
    const shares: { bidId: string; share: string }[] = [];
    for (const s of mine.shares) {
      const bytes = fromBase64(s.ciphertext);
      if (!bytes || sha256Hex(bytes) !== s.sha256)
        throw new LocalProblem('identity-file', message('hashMismatch'));
      // Decrypted here; its context must name this tender, bid, envelope and my position.
      const payload = await unwrapShare(bytes, identity, {
        ocid,
        bidId: s.bidId,
        envelope,
        index: mine.custodianIndex,
      });
      shares.push({ bidId: s.bidId, share: encodeSharePayload(payload) });
    }
    const answer = await api<Answer>('POST', `${tenderPath}/opening/${envelope}/shares`, {
      json: { shares },
    });
    result.textContent = message('submitted', {
      shares: shares.length,
      index: answer.custodianIndex,
      n: answer.custodiansSubmitted,
      k: answer.quorum,
    });
    if (answer.opened) {
      const state = byId(`state-${envelope}`);
      state.dataset.state = 'opened';
      state.textContent = `${message('opened')} `;
      const link = document.createElement('a');
      link.href = `/tenders/${encodeURIComponent(ocid)}#openings`;
      link.id = `record-${envelope}`;
      link.textContent = message('record');
      state.append(link);
    }
    button.hidden = true;
  } catch (err) {
    button.disabled = false;
    result.textContent = '';
    if (err instanceof LocalProblem) showErrors([{ field: err.field, text: err.message }]);
    else showErrors([{ field: 'identity-file', text: errorText(err) }]);
  }
}

function start(): void {
  const tool = document.getElementById('custodian-tool');
  if (!tool) return;
  byId('custodian-fields').hidden = false;
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.open-envelope')) {
    const envelope = button.dataset.envelope;
    if (envelope !== 'A' && envelope !== 'B' && envelope !== 'C') continue;
    button.hidden = false;
    button.addEventListener('click', () => void openStage(tool, envelope));
  }
}

start();
