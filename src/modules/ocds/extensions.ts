/**
 * The OCDS extensions Contracta declares in every package it publishes (issue 6, ocds.md §4), with
 * the official `extension.json` URL of each (what goes in the package's `extensions` array) and a
 * minimal release-schema patch of our own for the fields we publish; and Contracta's own extension,
 * document integrity (below), which this platform serves itself. Pure data, no I/O.
 *
 * Why our own minimal patches: the extensions' `release-schema.json` files are not in
 * `shared/data/ocds` and this machine (and CI) has no network. `extensions.load.ts` reads the real
 * patches from a directory or from the official URLs (cached on disk) whenever it can, and falls
 * back to these objects only for the extensions below. They were written for Contracta from each
 * extension's documentation page (cited per entry), keep the field names, types, closed code lists
 * and merge flags of the published extensions, and leave out every field we do not publish; their
 * descriptions are ours. Because OCDS never forbids additional properties, a field an extension
 * defines but these patches omit is still accepted, only not type-checked.
 */
import type { JsonObject } from './schema-patch.js';

export { combinePatches, mergePatch, patchSchema } from './schema-patch.js';

export type OcdsExtension = {
  /** Registry id (extension_registry `extensions.csv`). */
  id: string;
  name: string;
  /** The URL of the extension's `extension.json`, as declared in `package.extensions`. */
  url: string;
  /** The extension's documentation page, the source of our minimal patch. */
  documentation: string;
  /** What the extension adds that Contracta publishes. */
  adds: string;
  /** Our minimal release-schema patch (see the module comment); for our own extension, the patch. */
  minimalPatch: JsonObject;
  /**
   * Contracta's own extension: `url` is then a path on this platform (OWN_EXTENSION_BASE), resolved
   * against the deployment's public URL, and `minimalPatch` is the extension's whole patch.
   */
  own?: boolean;
  /** For our own extension: the description its extension.json gives. */
  description?: string;
};

const nullableString = { type: ['string', 'null'] };
const relatedLots = { type: ['array', 'null'], items: { type: 'string' } };
/** The closed `permission.csv` code list of the submission terms extension. */
const permission = {
  type: ['string', 'null'],
  codelist: 'permission.csv',
  openCodelist: false,
  enum: ['required', 'allowed', 'notAllowed', null],
};

/** Lots: https://extensions.open-contracting.org/en/extensions/lots/v1.1.5/ */
const lots: OcdsExtension = {
  id: 'lots',
  name: 'Lots',
  url: 'https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json',
  documentation: 'https://extensions.open-contracting.org/en/extensions/lots/v1.1.5/',
  adds: 'tender.lots[], tender.lotDetails, items[].relatedLot, relatedLots on documents, milestones, awards and amendments',
  minimalPatch: {
    definitions: {
      Tender: {
        properties: {
          lots: { title: 'Lots', type: 'array', items: { $ref: '#/definitions/Lot' } },
          lotDetails: {
            title: 'Lot details',
            type: 'object',
            properties: {
              maximumLotsBidPerSupplier: { type: ['integer', 'null'] },
              maximumLotsAwardedPerSupplier: { type: ['integer', 'null'] },
            },
          },
        },
      },
      Lot: {
        title: 'Lot',
        description: 'A part of the tender that can be bid for and awarded separately (LCSP art. 99).',
        type: 'object',
        required: ['id'],
        properties: {
          id: { title: 'Lot ID', type: 'string' },
          title: nullableString,
          description: nullableString,
          status: {
            type: ['string', 'null'],
            codelist: 'tenderStatus.csv',
            openCodelist: false,
            enum: [
              'planning',
              'planned',
              'active',
              'cancelled',
              'unsuccessful',
              'complete',
              'withdrawn',
              null,
            ],
          },
          value: { $ref: '#/definitions/Value' },
          tenderPeriod: { $ref: '#/definitions/Period' },
          contractPeriod: { $ref: '#/definitions/Period' },
        },
      },
      Item: { properties: { relatedLot: nullableString } },
      Document: { properties: { relatedLots } },
      Milestone: { properties: { relatedLots } },
      Award: { properties: { relatedLots } },
      Amendment: { properties: { relatedLots } },
    },
  },
};

/** Bids: https://extensions.open-contracting.org/en/extensions/bids/v1.1.5/ */
const bids: OcdsExtension = {
  id: 'bids',
  name: 'Bid statistics and details',
  url: 'https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json',
  documentation: 'https://extensions.open-contracting.org/en/extensions/bids/v1.1.5/',
  adds: 'bids.statistics[] (at the deadline) and bids.details[] (status, value, tenderers), awards[].relatedBids, contracts[].relatedBids',
  minimalPatch: {
    properties: { bids: { title: 'Bids', $ref: '#/definitions/Bids' } },
    definitions: {
      Bids: {
        title: 'Bids',
        type: 'object',
        properties: {
          statistics: { type: 'array', items: { $ref: '#/definitions/Statistic' } },
          details: { type: 'array', items: { $ref: '#/definitions/Bid' } },
        },
      },
      Statistic: {
        title: 'Statistic',
        type: 'object',
        required: ['id', 'measure', 'value'],
        properties: {
          id: { type: 'string' },
          measure: { type: 'string', codelist: 'statistic.csv', openCodelist: true },
          date: { type: ['string', 'null'], format: 'date-time' },
          value: { type: 'number' },
          currency: { $ref: '#/definitions/Value/properties/currency' },
          notes: nullableString,
          relatedLot: nullableString,
        },
      },
      Bid: {
        title: 'Bid',
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          date: { type: ['string', 'null'], format: 'date-time' },
          status: {
            type: ['string', 'null'],
            codelist: 'bidStatus.csv',
            openCodelist: false,
            enum: ['invited', 'pending', 'valid', 'disqualified', 'withdrawn', null],
          },
          tenderers: { type: 'array', items: { $ref: '#/definitions/OrganizationReference' } },
          value: { $ref: '#/definitions/Value' },
          documents: { type: 'array', items: { $ref: '#/definitions/Document' } },
          relatedLots,
        },
      },
      Award: { properties: { relatedBids: { type: ['array', 'null'], items: { type: 'string' } } } },
      Contract: { properties: { relatedBids: { type: ['array', 'null'], items: { type: 'string' } } } },
    },
  },
};

const submissionTermsDefinition = {
  title: 'Submission terms',
  type: 'object',
  properties: {
    electronicSubmissionPolicy: permission,
    variantPolicy: permission,
    electronicCataloguePolicy: permission,
    languages: { type: ['array', 'null'], items: { type: 'string', minLength: 1 }, uniqueItems: true },
    bidValidityPeriod: { $ref: '#/definitions/Period' },
    requiresGuarantees: { type: ['boolean', 'null'] },
  },
};

/** Submission terms: https://extensions.open-contracting.org/en/extensions/submissionTerms/master/ */
const submissionTerms: OcdsExtension = {
  id: 'submissionTerms',
  name: 'Submission terms',
  url: 'https://raw.githubusercontent.com/open-contracting-extensions/ocds_submissionTerms_extension/master/extension.json',
  documentation: 'https://extensions.open-contracting.org/en/extensions/submissionTerms/master/',
  adds: 'tender.submissionTerms and tender.lots[].submissionTerms (electronic submission, variants, languages, bid validity)',
  minimalPatch: {
    definitions: {
      Tender: { properties: { submissionTerms: { $ref: '#/definitions/SubmissionTerms' } } },
      Lot: { properties: { submissionTerms: { $ref: '#/definitions/SubmissionTerms' } } },
      SubmissionTerms: submissionTermsDefinition,
    },
  },
};

/**
 * Award criteria: https://extensions.open-contracting.org/en/extensions/awardCriteria/master/ (part of
 * the OCDS for eForms profile; the shape below is the one the eForms conversions use).
 */
const awardCriteria: OcdsExtension = {
  id: 'awardCriteria',
  name: 'Award criteria',
  url: 'https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/master/extension.json',
  documentation: 'https://extensions.open-contracting.org/en/extensions/awardCriteria/master/',
  adds: 'tender.lots[].awardCriteria: the criteria of each lot with their type and weights (LCSP art. 145-146)',
  minimalPatch: {
    definitions: {
      Lot: { properties: { awardCriteria: { $ref: '#/definitions/AwardCriteria' } } },
      AwardCriteria: {
        title: 'Award criteria',
        type: 'object',
        properties: {
          weightingDescription: nullableString,
          criteria: { type: 'array', items: { $ref: '#/definitions/AwardCriterion' } },
        },
      },
      AwardCriterion: {
        title: 'Award criterion',
        type: 'object',
        properties: {
          type: { type: ['string', 'null'], codelist: 'awardCriterionType.csv', openCodelist: false },
          name: nullableString,
          description: nullableString,
          numbers: { type: 'array', items: { $ref: '#/definitions/AwardCriterionNumber' } },
        },
      },
      AwardCriterionNumber: {
        title: 'Award criterion number',
        type: 'object',
        properties: {
          number: { type: ['number', 'null'] },
          weight: {
            type: ['string', 'null'],
            codelist: 'awardCriterionNumberWeight.csv',
            openCodelist: false,
          },
        },
      },
    },
  },
};

/** Where this platform serves its own extensions (ocds.routes.ts), below its public URL. */
export const OWN_EXTENSION_BASE = '/ocds/v1/extensions';

/**
 * Document integrity, Contracta's own extension: `Document.integrity`, the SHA-256 of the file a
 * document links to, so that anyone can check that a copy is the file published (issue 6 point 1,
 * "documents with their hashes"). OCDS 1.1.5 has no such field, neither has the 1.2 draft
 * (schema/1.2-dev, `Document`) nor any extension in the registry. The shape is the one proposed for
 * the standard in open-contracting/standard#1725 ("File integrity of documents", open): an array of
 * `Identifier` objects whose `scheme` names the algorithm and whose `id` is the hash, so that our
 * data is already in that shape if the standard adopts it. We publish `{ "scheme": "sha256", "id":
 * <64 lower-case hexadecimal digits> }`, the SHA-256 of the file's bytes (what `sha256sum` prints).
 * `wholeListMerge`: a replaced file replaces its hashes; matched by `id` (the hash), the old hash
 * would stay in the compiled release next to the new one.
 */
const documentIntegrity: OcdsExtension = {
  id: 'documentIntegrity',
  name: 'Document integrity',
  url: `${OWN_EXTENSION_BASE}/documentIntegrity/extension.json`,
  documentation: `${OWN_EXTENSION_BASE}/documentIntegrity/extension.json`,
  adds: 'documents[].integrity: the SHA-256 hash of each published document file ({scheme: "sha256", id: hex})',
  own: true,
  description:
    "Adds `integrity` to documents: the hashes of each document's file (SHA-256), so that anyone can check that a copy is the file published. The shape follows the proposal in open-contracting/standard#1725.",
  minimalPatch: {
    definitions: {
      Document: {
        properties: {
          integrity: {
            title: 'Integrity',
            description:
              "Hashes of the document's file, to check that a copy is the file published. Each entry's `scheme` names the hash algorithm, in lower case (`sha256`: SHA-256, FIPS 180-4), and its `id` is the hash of the file's bytes in lower-case hexadecimal. Proposed for the standard in open-contracting/standard#1725.",
            // null too: a document removed by a corrigendum is published with all its fields null,
            // the only way to delete an array item (ocds.md §3.1).
            type: ['array', 'null'],
            items: { $ref: '#/definitions/Identifier' },
            minItems: 1,
            uniqueItems: true,
            wholeListMerge: true,
          },
        },
      },
    },
  },
};

/** Every extension Contracta declares, in the order its patches are applied. */
export const CONTRACTA_EXTENSIONS: readonly OcdsExtension[] = [
  lots,
  bids,
  submissionTerms,
  awardCriteria,
  documentIntegrity,
];

/** An extension URL made absolute: our own extensions' paths are resolved against `baseUrl`. */
export function resolveExtensionUrl(url: string, baseUrl: string): string {
  return url.startsWith('/') ? `${baseUrl.replace(/\/$/, '')}${url}` : url;
}

/**
 * The `extensions` array of every package Contracta publishes. Our own extension is served by the
 * deployment, so its URL needs the public URL (`baseUrl`): without it only the official extensions'
 * URLs are listed (absolute URLs only, so that any package built from them stays valid).
 */
export function declaredExtensionUrls(baseUrl?: string): string[] {
  return CONTRACTA_EXTENSIONS.filter((e) => baseUrl !== undefined || !e.own).map((e) =>
    baseUrl === undefined ? e.url : resolveExtensionUrl(e.url, baseUrl),
  );
}

/**
 * Our own extension an URL names, whatever its host: its path (`/ocds/v1/extensions/<id>/extension.json`)
 * is served by every Contracta deployment with the patch below, so the patch is known without a
 * download (and CI has no network). Relative paths (as CONTRACTA_EXTENSIONS lists them) match too.
 */
export function ownExtensionFor(url: string): OcdsExtension | undefined {
  let pathname: string;
  try {
    pathname = new URL(url, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
  return CONTRACTA_EXTENSIONS.find((e) => e.own && e.url === pathname);
}

/** Our minimal patch for a declared extension URL, if it is one of ours. */
export function minimalPatchFor(url: string): JsonObject | undefined {
  return (CONTRACTA_EXTENSIONS.find((e) => e.url === url) ?? ownExtensionFor(url))?.minimalPatch;
}

/**
 * The `extension.json` of one of our own extensions as this deployment serves it (the extension
 * metadata of the standard's extension template: name, description and documentation by language,
 * compatibility, the schema files it patches).
 */
export function ownExtensionJson(e: OcdsExtension, baseUrl: string): JsonObject {
  const here = resolveExtensionUrl(e.url.replace(/extension\.json$/, ''), baseUrl);
  return {
    name: { en: e.name },
    description: { en: e.description ?? e.adds },
    documentationUrl: { en: `${here}release-schema.json` },
    compatibility: ['1.1'],
    schemas: ['release-schema.json'],
  };
}
