import type { ThresholdRow } from './procedure.types.js';

/**
 * Thresholds by date (amounts exclude VAT). A new year's values are a new row with its
 * `validFrom`, and the previous row gets a `validTo`: no code changes. EU thresholds change on
 * 1 January of even years (Delegated Regulations under Dir. 2014/24 art. 6); the Spanish figures
 * tied to them follow by Order of the Ministry of Finance.
 */
export const THRESHOLDS: readonly ThresholdRow[] = [
  // Contrato menor, art. 118.1 LCSP (Law 9/2017, in force since 9 March 2018).
  { key: 'minor_works', amount: '40000', validFrom: '2018-03-09', source: 'LCSP art. 118.1' },
  { key: 'minor_services_supplies', amount: '15000', validFrom: '2018-03-09', source: 'LCSP art. 118.1' },
  // Abierto simplificado, art. 159.1: works up to 2 M€; services and supplies below the central-government SARA threshold.
  { key: 'simplified_works', amount: '2000000', validFrom: '2018-03-09', source: 'LCSP art. 159.1.a' },
  {
    key: 'simplified_services_supplies',
    amount: '143000',
    validFrom: '2024-01-01',
    validTo: '2025-12-31',
    source: 'LCSP art. 159.1.a with art. 22.1.a; Orden HFP/1352/2023',
  },
  {
    key: 'simplified_services_supplies',
    amount: '140000',
    validFrom: '2026-01-01',
    source: 'LCSP art. 159.1.a with art. 22.1.a; Orden HAC/1517/2025',
  },
  // Abierto simplificado abreviado, art. 159.6.
  { key: 'abbreviated_works', amount: '80000', validFrom: '2018-03-09', source: 'LCSP art. 159.6' },
  {
    key: 'abbreviated_services_supplies',
    amount: '60000',
    validFrom: '2018-03-09',
    source: 'LCSP art. 159.6',
  },
  // Harmonised (SARA) thresholds for sub-central authorities, arts. 20–22 LCSP.
  {
    key: 'harmonised_works',
    amount: '5538000',
    validFrom: '2024-01-01',
    validTo: '2025-12-31',
    source: 'LCSP art. 20; Reg. (EU) 2023/2495; Orden HFP/1352/2023',
  },
  {
    key: 'harmonised_works',
    amount: '5404000',
    validFrom: '2026-01-01',
    source: 'LCSP art. 20; Reg. (EU) 2025/2152; Orden HAC/1517/2025',
  },
  {
    key: 'harmonised_services_supplies',
    amount: '221000',
    validFrom: '2024-01-01',
    validTo: '2025-12-31',
    source: 'LCSP arts. 21.1.b and 22.1.b; Orden HFP/1352/2023',
  },
  {
    key: 'harmonised_services_supplies',
    amount: '216000',
    validFrom: '2026-01-01',
    source: 'LCSP arts. 21.1.b and 22.1.b; Orden HAC/1517/2025',
  },
  {
    key: 'harmonised_social_services',
    amount: '750000',
    validFrom: '2018-03-09',
    source: 'LCSP art. 22.1.c',
  },
  // Recurso especial en materia de contratación, art. 44.1.a (strictly above).
  { key: 'special_appeal_works', amount: '3000000', validFrom: '2018-03-09', source: 'LCSP art. 44.1.a' },
  {
    key: 'special_appeal_services_supplies',
    amount: '100000',
    validFrom: '2018-03-09',
    source: 'LCSP art. 44.1.a',
  },
];
