/**
 * A small reader for `contracta ocds validate` (issue 6): the whole input in memory (validation needs
 * the whole document anyway), decoded as UTF-8 or, failing that, ISO-8859-1 (ocds.md §6: some
 * publishers' files are Latin-1), then one JSON value, or several: JSON Lines or concatenated JSON.
 * A top-level array is split into its items (an array of releases or packages). The streaming reader
 * for `compile` is ocds-input.ts; this one is deliberately independent of it.
 */
import type { JsonValue } from '../../platform/canonical-json.js';

export type ParsedInput = {
  /** The documents, each with where it came from (`[3]` for array items, `#2` for the 2nd value). */
  documents: { label: string; path: string; value: JsonValue }[];
  /** Set when the bytes were not UTF-8 and were read as ISO-8859-1. */
  latin1: boolean;
};

export class InputSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputSyntaxError';
  }
}

export function decodeInput(bytes: Uint8Array): { text: string; latin1: boolean } {
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''),
      latin1: false,
    };
  } catch {
    return { text: new TextDecoder('latin1').decode(bytes), latin1: true };
  }
}

/**
 * Splits text holding one or more JSON values (JSON Lines, concatenated JSON) into their texts by
 * tracking nesting outside strings. Each piece is then parsed by JSON.parse, which reports syntax.
 */
export function splitJsonValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) {
          out.push(text.slice(start, i + 1));
          start = -1;
        }
      }
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      if (depth === 0 && start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
      continue;
    }
    if (start < 0) start = i;
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

/** Parses an input's bytes into documents; throws InputSyntaxError when it is not JSON. */
export function parseInput(bytes: Uint8Array): ParsedInput {
  const { text, latin1 } = decodeInput(bytes);
  if (text.trim() === '') return { documents: [], latin1 };
  let values: JsonValue[];
  try {
    values = [JSON.parse(text) as JsonValue];
  } catch {
    const pieces = splitJsonValues(text);
    values = pieces.map((piece, i) => {
      try {
        return JSON.parse(piece) as JsonValue;
      } catch (err) {
        throw new InputSyntaxError(
          `JSON value ${i + 1}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    });
  }
  const documents: ParsedInput['documents'] = [];
  values.forEach((value, i) => {
    const label = values.length > 1 ? `#${i + 1}` : '';
    if (Array.isArray(value)) {
      value.forEach((item, j) => {
        documents.push({ label: `${label}[${j}]`, path: `/${j}`, value: item });
      });
    } else documents.push({ label, path: '', value });
  });
  return { documents, latin1 };
}
