/**
 * The OCDS extensions Contracta declares in every package it publishes (issue 6, ocds.md §4), with
 * the official `extension.json` URL of each (what goes in the package's `extensions` array) and a
 * minimal release-schema patch of our own for the fields we publish. Pure data, no I/O.
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
  /** Our minimal release-schema patch (see the module comment). */
  minimalPatch: JsonObject;
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

/** Every extension Contracta declares, in the order its patches are applied. */
export const CONTRACTA_EXTENSIONS: readonly OcdsExtension[] = [lots, bids, submissionTerms, awardCriteria];

/** The `extensions` array of every package Contracta publishes. */
export function declaredExtensionUrls(): string[] {
  return CONTRACTA_EXTENSIONS.map((e) => e.url);
}

/** Our minimal patch for a declared extension URL, if it is one of ours. */
export function minimalPatchFor(url: string): JsonObject | undefined {
  return CONTRACTA_EXTENSIONS.find((e) => e.url === url)?.minimalPatch;
}
