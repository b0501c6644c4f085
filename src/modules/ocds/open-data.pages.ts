/**
 * The open-data page of the portal, `/open-data` (issue 6 point 3): what is published in OCDS 1.1.5
 * and with which extensions (extensions.ts), under which licence and publication policy
 * (config.ocds; the packages' `publicationPolicy` points here by default), the API with examples,
 * the bulk files as the generator's manifest lists them (sizes, dates, hashes), the CSV and the
 * command-line toolkit. Public and server-rendered like the rest of the portal.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatDateTime } from '../../platform/i18n/i18n.js';
import { layout, sendPage } from '../portal/layout.js';
import { pageContext } from '../portal/portal.context.js';
import { formatSize } from '../portal/tenders-public.labels.js';
import { CONTRACTA_EXTENSIONS } from './extensions.js';
import { readManifest } from './ocds-bulk.js';
import { type BulkIndexFile, bulkIndex } from './ocds-bulk.routes.js';
import { CONTRACT_CSV_HEADER } from './ocds-csv.js';

/** How many daily files the page lists (the index at /ocds/v1/bulk lists them all). */
const DAILY_SHOWN = 14;

export function openDataPages(app: App, r: FastifyInstance): void {
  r.get('/open-data', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const base = app.deps.config.publicUrl;
    const ocds = app.deps.config.ocds;
    const index = bulkIndex(await readManifest(app.deps.config.dataDir), base);
    const when = (iso: string) => (iso ? formatDateTime(pc.locale, new Date(iso)) : '—');

    const fileRow = (f: BulkIndexFile, label: string): Html =>
      html`<tr><th scope="row"><a href="${f.url}">${f.name}</a></th><td>${label}</td>
        <td>${formatSize(pc.locale, f.size)}</td><td>${f.count}</td><td>${when(f.lastModified)}</td>
        <td><code class="hash">${f.sha256.slice(0, 16)}…</code></td></tr>`;
    const labels: Record<string, string> = {
      'releases.jsonl.gz': t('opendata.bulk.releases'),
      'records.jsonl.gz': t('opendata.bulk.records'),
      'contracts.csv': t('opendata.bulk.csv'),
    };
    const head = html`<thead><tr><th scope="col">${t('opendata.bulk.file')}</th><th scope="col">${t('opendata.bulk.content')}</th>
      <th scope="col">${t('opendata.bulk.size')}</th><th scope="col">${t('opendata.bulk.items')}</th>
      <th scope="col">${t('opendata.bulk.updated')}</th><th scope="col">SHA-256</th></tr></thead>`;

    const bulk = index.generated
      ? html`<table><caption>${t('opendata.bulk.caption', { date: when(index.generatedAt ?? '') })}</caption>${head}
          <tbody>${index.files.map((f) => fileRow(f, labels[f.name] ?? f.name))}</tbody></table>
          ${
            index.daily.length > 0
              ? html`<table><caption>${t('opendata.bulk.dailyCaption', { count: index.daily.length })}</caption>${head}
                <tbody>${index.daily
                  .slice(0, DAILY_SHOWN)
                  .map((f) =>
                    fileRow(
                      f,
                      f.final
                        ? t('opendata.bulk.dayFinal', { day: f.day })
                        : t('opendata.bulk.dayOpen', { day: f.day }),
                    ),
                  )}</tbody></table>`
              : ''
          }`
      : html`<p>${t('opendata.bulk.notYet')}</p>`;

    const example = (text: string): Html => html`<pre><code>${text}</code></pre>`;
    const body = html`<p class="lead">${t('opendata.lead')}</p>
      <section aria-labelledby="od-what">
        <h2 id="od-what">${t('opendata.what.title')}</h2>
        <p>${t('opendata.what.text')}</p>
        <ul>
          <li>${t('opendata.what.releases')}</li>
          <li>${t('opendata.what.records')}</li>
        </ul>
        <h3>${t('opendata.what.extensions')}</h3>
        <ul>${CONTRACTA_EXTENSIONS.map((e) => html`<li><a href="${e.url}">${e.name}</a> — ${e.adds}</li>`)}</ul>
      </section>
      <section aria-labelledby="od-licence">
        <h2 id="od-licence">${t('opendata.licence.title')}</h2>
        <dl>
          <dt>${t('opendata.licence.publisher')}</dt><dd>${ocds.publisherName}</dd>
          <dt>${t('opendata.licence.licence')}</dt><dd><a href="${ocds.license}">${ocds.license}</a></dd>
          <dt>${t('opendata.licence.policy')}</dt><dd><a href="${ocds.publicationPolicy}">${ocds.publicationPolicy}</a></dd>
        </dl>
        <p>${t('opendata.licence.text')}</p>
      </section>
      <section aria-labelledby="od-api">
        <h2 id="od-api">${t('opendata.api.title')}</h2>
        <p>${t('opendata.api.text')}</p>
        <dl>
          <dt><code>GET /ocds/v1/releases</code></dt><dd>${t('opendata.api.releases')}</dd>
          <dt><code>GET /ocds/v1/records</code></dt><dd>${t('opendata.api.records')}</dd>
          <dt><code>GET /ocds/v1/releases/{id}?ocid={ocid}</code></dt><dd>${t('opendata.api.release')}</dd>
          <dt><code>GET /ocds/v1/records/{ocid}</code></dt><dd>${t('opendata.api.record')}</dd>
          <dt><code>GET /ocds/v1/bulk</code></dt><dd>${t('opendata.api.bulk')}</dd>
        </dl>
        <p>${t('opendata.api.example')}</p>
        ${example(`curl --compressed '${base}/ocds/v1/releases?limit=100'\ncurl --compressed '${base}/ocds/v1/releases?authority={authorityId}&from=2026-01-01&to=2026-02-01'\ncurl --compressed '${base}/ocds/v1/records?cursor={links.next}'`)}
      </section>
      <section aria-labelledby="od-bulk">
        <h2 id="od-bulk">${t('opendata.bulk.title')}</h2>
        <p>${t('opendata.bulk.text')}</p>
        ${bulk}
        ${example(`curl -O '${base}/ocds/v1/bulk/releases.jsonl.gz'\nzcat releases.jsonl.gz | head -n 1`)}
      </section>
      <section aria-labelledby="od-csv">
        <h2 id="od-csv">${t('opendata.csv.title')}</h2>
        <p>${t('opendata.csv.text')}</p>
        <p>${t('opendata.csv.columns')} <code>${CONTRACT_CSV_HEADER.join(', ')}</code></p>
      </section>
      <section aria-labelledby="od-tools">
        <h2 id="od-tools">${t('opendata.tools.title')}</h2>
        <p>${t('opendata.tools.text')}</p>
        ${example('zcat releases.jsonl.gz | contracta ocds compile > compiled.jsonl\nzcat releases.jsonl.gz | contracta ocds compile --package --versioned > records.json\ncontracta ocds validate records.json')}
      </section>`;
    return sendPage(reply, layout(pc, t('opendata.title'), body));
  });
}
