/** A contract's life after formalisation (arts. 153, 188–213 LCSP). */

import type { LocalDate } from '../calendar/calendar.rules.js';

export type ContractStatus = 'formalised' | 'in_execution' | 'suspended' | 'completed' | 'terminated';

/**
 * Legal ground of an amendment: foreseen in the PCAP (art. 204 LCSP) or not foreseen (art. 205,
 * within its limits); the documents and the value change are recorded with it.
 */
export type AmendmentGround = 'art_204' | 'art_205';

export type Amendment = {
  legalGround: AmendmentGround;
  /** Change of the contract's price, excl. VAT, decimal string (negative for a reduction). */
  valueChange: string;
  reasons: string;
  /** Ids of the supporting documents (content-addressed blobs). */
  documents: string[];
  at: Date;
};

export type Extension = {
  previousEndDate: LocalDate | null;
  newEndDate: LocalDate;
  reasons: string;
  at: Date;
};

export type ContractState = {
  status: ContractStatus;
  startedAt: Date | null;
  /** The current end of the term, as extended (art. 29). */
  endDate: LocalDate | null;
  suspensions: { reasons: string; from: Date; to: Date | null }[];
  amendments: Amendment[];
  extensions: Extension[];
  completedAt: Date | null;
  termination: { grounds: string; reasons: string; at: Date } | null;
};

export type ContractEvent =
  | { type: 'start'; endDate: LocalDate | null }
  | { type: 'suspend'; reasons: string }
  | { type: 'resume' }
  | { type: 'amend'; legalGround: AmendmentGround; valueChange: string; reasons: string; documents: string[] }
  | { type: 'extend'; newEndDate: LocalDate; reasons: string }
  | { type: 'complete' }
  | { type: 'terminate'; grounds: string; reasons: string };

export type ContractEventType = ContractEvent['type'];
