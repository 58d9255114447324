// SPDX-License-Identifier: GPL-2.0-only
/*
 * The iotsense dashboard: hash routes over the local API (/api/v1, see docs or the API contract).
 *
 * Every string that comes from the API is wire data an attacker can choose (a DHCP hostname, an SNMP sysDescr,
 * an HTTP banner), so it only ever reaches the page as a text node or an attribute value: el() below builds
 * every element, and nothing in this file assigns innerHTML, outerHTML or insertAdjacentHTML.
 */
'use strict';

const API = '/api/v1';
const TOKEN_KEY = 'iotsense.token';
const PAGE_SIZE = 50;
const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'];
const DEVICE_TYPES = ['access_point', 'building_controller', 'conferencing', 'hmi', 'ip_camera', 'iot_other',
	'media_player', 'mobile', 'network_switch', 'plc', 'printer', 'router', 'server', 'smart_tv', 'voip_phone',
	'workstation'];

/* ---- DOM helpers: the only way elements are made ---- */

// el('td', {class: 'x', title: t}, child, ...): strings and numbers become text nodes; null/undefined/false skipped.
function el(tag, attrs, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k.startsWith('on'))
			e.addEventListener(k.slice(2), v);
		else if (k === 'dataset')
			Object.assign(e.dataset, v);
		else
			e.setAttribute(k, v === true ? '' : String(v));
	}
	append(e, children);
	return e;
}

function append(parent, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return parent;
}

const dash = '\u2014';

function text(v) {
	if (v === null || v === undefined || v === '')
		return dash;
	if (Array.isArray(v))
		return v.length ? v.join(', ') : dash;
	return String(v);
}

// A cell that truncates with an ellipsis and shows the whole value on hover.
function cell(v, cls) {
	const t = text(v);
	return t === dash ? el('td', { class: 'none' }, t) : el('td', { class: cls, title: t }, t);
}

function badge(kind, level) {
	const l = level || 'none';
	return el('span', { class: `badge ${kind}-${l.replace(/[^a-z]/g, '')}` }, l);
}

// "2024-05-01T10:20:30.123Z" -> "2024-05-01 10:20:30" (UTC, as the records); short: to the minute.
function fmtTime(s, short) {
	if (!s)
		return dash;
	const d = new Date(s);
	if (isNaN(d))
		return String(s);
	return d.toISOString().replace('T', ' ').slice(0, short ? 16 : 19);
}

function timeCell(s, short) {
	return el('td', { class: 'time', title: s || null }, fmtTime(s, short));
}

function fmtNum(n) {
	return typeof n === 'number' ? n.toLocaleString('en-US') : text(n);
}

function fmtDuration(s) {
	if (typeof s !== 'number')
		return text(s);
	const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
	return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : `${m}m ${Math.floor(s % 60)}s`;
}

function deviceHref(id) {
	return '#/device/' + encodeURIComponent(id);
}

function deviceTitle(d) {
	return d.name || (d.hostnames && d.hostnames[0]) || d.id;
}

function section(title, count, ...body) {
	return el('section', { class: 'card' },
		el('h2', {}, title, count === null || count === undefined ? null : el('span', { class: 'count' }, count)),
		body);
}

function table(headers, rows, empty, cls) {
	if (!rows.length)
		return el('p', { class: 'empty' }, empty);
	return el('div', { class: 'table-wrap' },
		el('table', { class: cls || 'grid' },
			el('thead', {}, el('tr', {}, headers.map((h) => Array.isArray(h) ?
				el('th', { scope: 'col', class: h[1] }, h[0]) : el('th', { scope: 'col' }, h)))),
			el('tbody', {}, rows)));
}

function notice(kind, msg) {
	return el('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, msg);
}

/* ---- API ---- */

class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

async function api(method, path, body) {
	const headers = { Accept: 'application/json' };
	const token = sessionStorage.getItem(TOKEN_KEY);
	if (token)
		headers.Authorization = 'Bearer ' + token;
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	let r;
	try {
		r = await fetch(API + path, {
			method, headers, cache: 'no-store', credentials: 'same-origin',
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	} catch (e) {
		throw new ApiError(0, 'The sensor does not answer (' + e.message + '). Is `iotsense serve` running?');
	}
	let data = null;
	try {
		data = await r.json();
	} catch (e) {
		data = null;
	}
	if (!r.ok) {
		const msg = (data && data.error && data.error.message) || `${r.status} ${r.statusText}`;
		if (r.status === 401)
			askToken(token ? 'The API refused this token: ' + msg : 'The API needs an access token: ' + msg);
		throw new ApiError(r.status, msg);
	}
	return data;
}

function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, v);
	const s = q.toString();
	return s ? '?' + s : '';
}

/* ---- token ---- */

function askToken(reason) {
	const dlg = document.getElementById('token-dialog');
	document.getElementById('token-reason').textContent = reason ||
		'The API asks for a bearer token. It is kept in this browser tab only (session storage).';
	document.getElementById('token-input').value = sessionStorage.getItem(TOKEN_KEY) || '';
	if (!dlg.open)
		dlg.showModal();
}

function setupToken() {
	const dlg = document.getElementById('token-dialog');
	document.getElementById('token-button').addEventListener('click', () => askToken());
	document.getElementById('token-form').addEventListener('submit', () => {
		const v = document.getElementById('token-input').value.trim();
		if (v)
			sessionStorage.setItem(TOKEN_KEY, v);
		else
			sessionStorage.removeItem(TOKEN_KEY);
		route();
	});
	document.getElementById('token-clear').addEventListener('click', () => {
		sessionStorage.removeItem(TOKEN_KEY);
		document.getElementById('token-input').value = '';
		dlg.close();
		route();
	});
}

/* ---- routing ---- */

// "#/devices?q=cam&offset=50" -> {name: 'devices', arg: '', params}
function parseHash() {
	const h = location.hash.replace(/^#\/?/, '');
	const qi = h.indexOf('?');
	const path = qi < 0 ? h : h.slice(0, qi);
	const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
	const slash = path.indexOf('/');
	return {
		name: slash < 0 ? path : path.slice(0, slash),
		arg: slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1)),
		params,
	};
}

function setHashParams(name, params) {
	location.hash = '#/' + name + query(params);
}

const routes = {
	devices: renderDevices,
	device: renderDevice,
	alerts: renderAlerts,
	vulnerabilities: renderVulns,
	recommendations: renderRecommendations,
	health: renderHealth,
};

let generation = 0;

// Renders the current route into #view. A slower earlier render never replaces a newer one.
async function route() {
	const r = parseHash();
	const fn = routes[r.name];
	if (!fn) {
		location.replace('#/devices');
		return;
	}
	const gen = ++generation;
	const view = document.getElementById('view');
	for (const a of document.querySelectorAll('.sidebar a'))
		a.classList.toggle('active', a.dataset.route === (r.name === 'device' ? 'devices' : r.name));
	view.dataset.state = 'loading';
	if (!view.firstChild || view.dataset.route !== r.name)
		view.replaceChildren(el('p', { class: 'loading' }, 'Loading\u2026'));
	view.dataset.route = r.name;
	let node, state = 'ready';
	try {
		node = await fn(r);
	} catch (e) {
		state = 'error';
		node = el('div', {}, el('h1', {}, 'Something went wrong'),
			notice('error', e instanceof ApiError ? e.message : 'Unexpected error: ' + e));
		if (!(e instanceof ApiError))
			console.error(e);
	}
	if (gen !== generation || !node)
		return;
	view.replaceChildren(node);
	view.dataset.state = state;
}

/* ---- inventory ---- */

async function renderDevices(r) {
	const p = r.params;
	const f = {
		q: p.get('q') || '', type: p.get('type') || '', risk: p.get('risk') || '',
		contained: p.get('contained') || '', sort: p.get('sort') || '',
	};
	const offset = Math.max(0, parseInt(p.get('offset') || '0', 10) || 0);
	const [list, high, contained, alerts, vulns] = await Promise.all([
		api('GET', '/devices' + query({ ...f, limit: PAGE_SIZE, offset })),
		api('GET', '/devices?risk=high&limit=1').catch(() => null),
		api('GET', '/devices?contained=1&limit=1').catch(() => null),
		api('GET', '/alerts?limit=1').catch(() => null),
		api('GET', '/vulnerabilities?limit=1').catch(() => null),
	]);

	const tiles = el('div', { class: 'tiles' },
		tile(f.q || f.type || f.risk || f.contained ? 'Matching devices' : 'Devices', list.total, '#/devices'),
		tile('High or critical risk', high && high.total, '#/devices?risk=high'),
		tile('Contained', contained && contained.total, '#/devices?contained=1'),
		tile('Alerts', alerts && alerts.total, '#/alerts'),
		tile('Vulnerabilities', vulns && vulns.total, '#/vulnerabilities'));

	const search = el('input', {
		type: 'search', name: 'q', value: f.q, placeholder: 'Search id, name, IP, MAC, vendor, model, hostname',
		'aria-label': 'Search devices', class: 'search',
	});
	const typeSel = select('type', 'Type', f.type, [['', 'All types'], ...DEVICE_TYPES.map((t) => [t, t]),
		['unknown', 'not classified']]);
	const riskSel = select('risk', 'Risk', f.risk, [['', 'Any risk'], ['low', 'Low or higher'],
		['medium', 'Medium or higher'], ['high', 'High or higher'], ['critical', 'Critical']]);
	const contSel = select('contained', 'Containment', f.contained, [['', 'Contained or not'],
		['1', 'Contained'], ['0', 'Not contained']]);
	const sortSel = select('sort', 'Sort', f.sort, [['', 'Riskiest first'], ['last_seen', 'Last seen'],
		['type', 'Type']]);
	const form = el('form', {
		class: 'toolbar', role: 'search', onsubmit: (ev) => {
			ev.preventDefault();
			setHashParams('devices', {
				q: search.value.trim(), type: typeSel.value, risk: riskSel.value,
				contained: contSel.value, sort: sortSel.value,
			});
		},
	}, search, typeSel, riskSel, contSel, sortSel, el('button', { type: 'submit', class: 'primary' }, 'Apply'),
	f.q || f.type || f.risk || f.contained || f.sort ? el('a', { href: '#/devices', class: 'reset' }, 'Clear') : null);
	for (const s of [typeSel, riskSel, contSel, sortSel])
		s.addEventListener('change', () => form.requestSubmit());

	const rows = list.items.map((d) => {
		const href = deviceHref(d.id);
		const title = deviceTitle(d);
		return el('tr', { class: 'clickable', dataset: { id: d.id }, onclick: (ev) => {
			if (!ev.target.closest('a'))
				location.hash = href;
		} },
		el('td', { class: 'name', title: d.id },
			el('a', { href }, title),
			title !== d.id ? el('div', { class: 'sub mono' }, d.id) : null,
			d.contained ? el('span', { class: 'badge contained' }, 'contained') : null),
		cell(d.type, 'type'),
		cell(d.vendor, 'vendor'),
		cell(d.model),
		cell(d.firmware),
		cell(d.ips, 'mono ips'),
		el('td', {}, badge('risk', d.risk)),
		el('td', {}, badge('exposure', d.exposure)),
		el('td', {}, d.criticality ? badge('crit', d.criticality) : dash),
		timeCell(d.last_seen, true));
	});

	return el('div', {},
		el('div', { class: 'page-head' }, el('h1', {}, 'Device inventory'),
			el('p', { class: 'muted' }, 'Every device the sensor has seen on the wire, riskiest first.')),
		tiles, form,
		el('section', { class: 'card flush' },
			table(['Device', 'Type', 'Vendor', 'Model', 'Firmware', 'IP addresses', 'Risk', 'Exposure',
				'Criticality', 'Last seen'], rows,
			f.q || f.type || f.risk || f.contained ? 'No device matches these filters.' :
				'No device yet: the sensor lists a device as soon as it sees it talk.', 'grid inventory'),
			pager(list, (o) => setHashParams('devices', { ...f, offset: o }))));
}

function tile(label, value, href) {
	return el('a', { class: 'tile', href }, el('span', { class: 'tile-value' },
		value === null || value === undefined ? dash : fmtNum(value)), el('span', { class: 'tile-label' }, label));
}

function select(name, label, value, options) {
	const s = el('select', { name, 'aria-label': label },
		options.map(([v, t]) => el('option', { value: v }, t)));
	s.value = value;
	return s;
}

function pager(list, go) {
	const { total, limit, offset } = list;
	const first = total ? offset + 1 : 0, last = Math.min(offset + list.items.length, total);
	return el('div', { class: 'pager' },
		el('span', { class: 'muted' }, `${fmtNum(first)}\u2013${fmtNum(last)} of ${fmtNum(total)}`),
		el('button', { type: 'button', class: 'secondary', disabled: offset <= 0,
			onclick: () => go(Math.max(0, offset - limit)) }, 'Previous'),
		el('button', { type: 'button', class: 'secondary', disabled: offset + limit >= total,
			onclick: () => go(offset + limit) }, 'Next'));
}

/* ---- one device ---- */

async function renderDevice(r) {
	const id = r.arg;
	let res;
	try {
		res = await api('GET', '/devices/' + encodeURIComponent(id));
	} catch (e) {
		// Alerts name the address that acted (ip:...); the inventory may know that device by its MAC.
		if (e.status === 404 && id.startsWith('ip:')) {
			const l = await api('GET', '/devices' + query({ q: id.slice(3), limit: 10 }));
			const hit = l.items.find((d) => (d.ips || []).includes(id.slice(3)));
			if (hit && hit.id !== id) {
				location.replace(deviceHref(hit.id));
				return null;
			}
		}
		throw e;
	}
	const d = res.device || {};
	const alerts = res.alerts || [];
	const msg = el('div', { class: 'action-msg', 'aria-live': 'polite' });

	return el('div', { class: 'device-page' },
		el('nav', { class: 'crumbs' }, el('a', { href: '#/devices' }, 'Device inventory'), ' / ',
			el('span', {}, deviceTitle(d))),
		el('section', { class: 'card device-head' },
			el('div', { class: 'head-row' },
				el('div', {},
					el('h1', {}, deviceTitle(d)),
					deviceTitle(d) !== d.id ? el('div', { class: 'sub mono' }, d.id) : null,
					el('div', { class: 'badges' },
						el('span', { class: 'label' }, 'Risk'), badge('risk', d.risk),
						el('span', { class: 'label' }, 'Exposure'), badge('exposure', d.exposure),
						el('span', { class: 'label' }, 'Criticality'),
						d.criticality ? badge('crit', d.criticality) : el('span', { class: 'muted' }, 'not set'),
						d.contained ? el('span', { class: 'badge contained' }, 'contained') : null)),
				containBox(d, msg)),
			msg,
			el('dl', { class: 'props' }, prop('Type', d.type), prop('Vendor', d.vendor), prop('Model', d.model),
				prop('Operating system', d.os), prop('Firmware', d.firmware), prop('IP addresses', d.ips, true),
				prop('MAC', d.mac, true), prop('MAC vendor', d.mac_vendor), prop('Hostnames', d.hostnames),
				prop('Tags', tagText(d.tags)), prop('First seen', fmtTime(d.first_seen)),
				prop('Last seen', fmtTime(d.last_seen)), prop('CPE', d.cpe, true),
				prop('Site / zone', [d.site, d.zone].filter(Boolean).join(' / ')), prop('Sensor', d.sensor))),
		editForm(d, msg),
		recommendationsSection(d.recommendations || []),
		vulnsSection(d.vulnerabilities || []),
		alertsSection(alerts),
		servicesSection(d),
		classificationSection(d.classification || {}),
		evidenceSection(d.evidence || []));
}

function prop(label, value, mono) {
	const t = text(value);
	return el('div', { class: 'prop' }, el('dt', {}, label), el('dd', { class: mono && t !== dash ? 'mono' : null }, t));
}

function tagText(tags) {
	if (!tags || typeof tags !== 'object')
		return '';
	return Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ');
}

function containBox(d, msg) {
	const dur = select('for', 'Contain for', '', [['', 'until released'], ['10m', 'for 10 minutes'],
		['1h', 'for 1 hour'], ['24h', 'for 24 hours']]);
	const act = async (ev) => {
		const btn = ev.currentTarget;
		btn.disabled = true;
		msg.replaceChildren();
		try {
			if (d.contained) {
				await api('POST', `/devices/${encodeURIComponent(d.id)}/release`);
			} else {
				await api('POST', `/devices/${encodeURIComponent(d.id)}/contain`, dur.value ? { for: dur.value } : {});
			}
			route();
		} catch (e) {
			btn.disabled = false;
			msg.replaceChildren(notice('error', (d.contained ? 'Release failed: ' : 'Containment failed: ') +
				e.message));
		}
	};
	if (d.contained) {
		// The API keeps the record's {by, since, until, drops} as "containment"; "contained" is a bool.
		const c = d.containment || (typeof d.contained === 'object' ? d.contained : {});
		return el('div', { class: 'contain' },
			el('span', { class: 'muted' }, c.until ? 'contained until ' + fmtTime(c.until) :
				c.since ? 'contained since ' + fmtTime(c.since) : 'contained',
			typeof c.drops === 'number' ? ` \u00b7 ${fmtNum(c.drops)} packets dropped` : ''),
			el('button', { type: 'button', class: 'secondary', onclick: act }, 'Release'));
	}
	return el('div', { class: 'contain' }, dur,
		el('button', { type: 'button', class: 'danger', onclick: act,
			title: 'Drop every packet of this device at the sensor' }, 'Contain'));
}

// Name, criticality and tags are the operator's; PATCH sends only what changed (a removed tag as null).
function editForm(d, msg) {
	const oldTags = (d.tags && typeof d.tags === 'object') ? d.tags : {};
	const name = el('input', { type: 'text', name: 'name', value: d.name || '', maxlength: 127,
		placeholder: 'A name people recognise' });
	const crit = select('criticality', 'Criticality', d.criticality || '', [['', 'not set'], ['low', 'low'],
		['medium', 'medium'], ['high', 'high']]);
	const tags = el('textarea', { name: 'tags', rows: 3, spellcheck: 'false', placeholder: 'owner=facilities' });
	tags.value = Object.entries(oldTags).map(([k, v]) => `${k}=${v}`).join('\n');
	const save = el('button', { type: 'submit', class: 'primary' }, 'Save');
	const form = el('form', { class: 'edit', onsubmit: async (ev) => {
		ev.preventDefault();
		const body = {};
		if (name.value.trim() !== (d.name || ''))
			body.name = name.value.trim();
		if (crit.value && crit.value !== (d.criticality || ''))
			body.criticality = crit.value;
		const newTags = {};
		for (const line of tags.value.split(/\n|,/)) {
			const t = line.trim();
			if (!t)
				continue;
			const eq = t.indexOf('=');
			if (eq <= 0) {
				msg.replaceChildren(notice('error', `Tag "${t}" is not key=value.`));
				return;
			}
			newTags[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
		}
		const diff = {};
		for (const k of Object.keys(oldTags))
			if (!(k in newTags))
				diff[k] = null;
		for (const [k, v] of Object.entries(newTags))
			if (oldTags[k] !== v)
				diff[k] = v;
		if (Object.keys(diff).length)
			body.tags = diff;
		if (!Object.keys(body).length) {
			msg.replaceChildren(notice('info', 'Nothing changed.'));
			return;
		}
		save.disabled = true;
		try {
			await api('PATCH', '/devices/' + encodeURIComponent(d.id), body);
			route();
		} catch (e) {
			save.disabled = false;
			msg.replaceChildren(notice('error', 'Saving failed: ' + e.message));
		}
	} },
	el('label', {}, el('span', {}, 'Name'), name),
	el('label', {}, el('span', {}, 'Criticality'), crit),
	el('label', { class: 'wide' }, el('span', {}, 'Tags (key=value, one a line)'), tags),
	el('div', { class: 'actions' }, save));
	return el('details', { class: 'card edit-card' }, el('summary', {}, 'Edit name, criticality and tags'), form);
}

function recommendationsSection(recs) {
	const items = recs.map((r) => el('div', { class: 'rec' },
		el('div', { class: 'rec-head' }, badge('sev', r.severity), el('span', { class: 'rec-title' }, r.title),
			el('span', { class: 'mono muted' }, r.id), r.category ? el('span', { class: 'chip' }, r.category) : null),
		r.remediation ? el('p', {}, r.remediation) : null,
		(r.proof && r.proof.length) ? el('div', { class: 'proof' }, el('span', { class: 'label' }, 'Proof'),
			el('ul', {}, r.proof.map((p) => el('li', {},
				el('span', { class: 'mono' }, `${text(p.key)} = ${text(p.value)}`),
				p.flow ? el('span', { class: 'muted' }, ' \u00b7 ' + p.flow) : null,
				p.first_seen ? el('span', { class: 'muted' }, ' \u00b7 ' + fmtTime(p.first_seen)) : null)))) : null));
	return section('Recommendations', recs.length,
		items.length ? items : el('p', { class: 'empty' }, 'Nothing to fix that the sensor can see.'));
}

function vulnsSection(v) {
	return section('Vulnerabilities', v.length, table(['CVE', 'CVSS', 'Severity', 'KEV', 'Source', 'Affected'],
		v.map((x) => el('tr', {}, cell(x.cve, 'mono'), cell(typeof x.cvss === 'number' ? x.cvss.toFixed(1) : x.cvss),
			el('td', {}, badge('sev', x.severity)),
			el('td', {}, x.kev ? el('span', { class: 'badge kev' }, 'known exploited') : 'no'),
			cell(x.source), cell(x.affected))),
		'No known vulnerability matches what the sensor knows of this device.'));
}

function alertRow(a, withDevice) {
	const f = a.finding || {};
	const dev = a.device || {};
	return el('tr', {},
		el('td', {}, badge('sev', a.severity)),
		el('td', { class: 'wrap' }, el('div', {}, f.title || a.type || dash),
			f.desc ? el('div', { class: 'sub' }, f.desc) : null),
		withDevice ? el('td', {}, dev.id ? el('a', { href: deviceHref(dev.id), class: 'mono' }, dev.ip || dev.id) :
			dash) : null,
		timeCell(a.first_seen), timeCell(a.last_seen), el('td', { class: 'num' }, fmtNum(a.count)));
}

function alertsSection(alerts) {
	return section('Alerts', alerts.length, table(['Severity', 'Alert', 'First seen', 'Last seen', ['Count', 'num']],
		alerts.map((a) => alertRow(a, false)), 'No alert about this device.'));
}

function servicesSection(d) {
	const services = d.services || [], protocols = d.protocols || [];
	return section('Services and protocols', services.length + protocols.length,
		el('div', { class: 'chips' }, el('span', { class: 'label' }, 'Services'),
			services.length ? services.map((s) => el('span', { class: 'chip mono' },
				typeof s === 'string' ? s : text(s.service || s.name))) : el('span', { class: 'muted' }, 'none seen')),
		el('div', { class: 'chips' }, el('span', { class: 'label' }, 'Protocols'),
			protocols.length ? protocols.map((p) => el('span', { class: 'chip' },
				typeof p === 'string' ? p : text(p.protocol || p.name))) : el('span', { class: 'muted' }, 'none seen')));
}

function classificationSection(c) {
	const rows = Object.entries(c).map(([field, x]) => el('tr', {}, cell(field), cell(x && x.value),
		cell(x && x.confidence, 'num'), cell(x && x.rule, 'mono'), cell(x && x.evidence, 'mono')));
	return section('Classification', rows.length, table(['Field', 'Value', 'Confidence', 'Rule', 'Evidence'], rows,
		'Not classified yet.'));
}

function evidenceSection(ev) {
	const rows = ev.map((x) => el('tr', {}, cell(x.key, 'mono'), cell(x.value, 'mono value'), cell(x.protocol),
		timeCell(x.first_seen), timeCell(x.last_seen), cell(x.count, 'num'), cell(x.confidence, 'num'),
		cell(x.flow, 'mono')));
	return section('Evidence', ev.length, table(['Key', 'Value', 'Protocol', 'First seen', 'Last seen', 'Count',
		'Confidence', 'Flow'], rows, 'No evidence kept for this device.', 'grid evidence'));
}

/* ---- alerts, vulnerabilities, recommendations ---- */

async function renderAlerts(r) {
	const sev = r.params.get('severity') || '';
	const offset = Math.max(0, parseInt(r.params.get('offset') || '0', 10) || 0);
	const list = await api('GET', '/alerts' + query({ severity: sev, limit: PAGE_SIZE, offset }));
	const sel = select('severity', 'Severity', sev, [['', 'Any severity'], ['low', 'Low or higher'],
		['medium', 'Medium or higher'], ['high', 'High or higher'], ['critical', 'Critical']]);
	sel.addEventListener('change', () => setHashParams('alerts', { severity: sel.value }));
	return el('div', {},
		el('div', { class: 'page-head' }, el('h1', {}, 'Alerts'),
			el('p', { class: 'muted' }, 'Findings about devices, newest first; repeats are counted, not repeated.')),
		el('div', { class: 'toolbar' }, sel),
		el('section', { class: 'card flush' },
			table(['Severity', 'Alert', 'Device', 'First seen', 'Last seen', ['Count', 'num']],
				list.items.map((a) => alertRow(a, true)), 'No alert.'),
			pager(list, (o) => setHashParams('alerts', { severity: sev, offset: o }))));
}

async function renderVulns(r) {
	const kev = r.params.get('kev') || '';
	const offset = Math.max(0, parseInt(r.params.get('offset') || '0', 10) || 0);
	const list = await api('GET', '/vulnerabilities' + query({ kev, limit: PAGE_SIZE, offset }));
	const box = el('input', { type: 'checkbox', id: 'kev-only', checked: kev === '1' });
	box.addEventListener('change', () => setHashParams('vulnerabilities', { kev: box.checked ? '1' : '' }));
	return el('div', {},
		el('div', { class: 'page-head' }, el('h1', {}, 'Vulnerabilities'),
			el('p', { class: 'muted' }, 'Known CVEs matched to what the sensor learned of each device, riskiest first.')),
		el('div', { class: 'toolbar' }, el('label', { class: 'check' }, box, ' Known exploited (CISA KEV) only')),
		el('section', { class: 'card flush' },
			table(['CVE', 'CVSS', 'Severity', 'KEV', 'Device', 'IP', 'Affected', 'First seen'],
				list.items.map((v) => el('tr', {}, cell(v.cve, 'mono'),
					cell(typeof v.cvss === 'number' ? v.cvss.toFixed(1) : v.cvss, 'num'),
					el('td', {}, badge('sev', v.severity)),
					el('td', {}, v.kev ? el('span', { class: 'badge kev' }, 'known exploited') : 'no'),
					el('td', {}, el('a', { href: deviceHref(v.device_id) }, v.device_name || v.device_id)),
					cell(v.ip, 'mono'), cell(v.affected), timeCell(v.first_seen))),
				'No vulnerability matched.'),
			pager(list, (o) => setHashParams('vulnerabilities', { kev, offset: o }))));
}

async function renderRecommendations() {
	const list = await api('GET', '/recommendations?limit=1000');
	const rows = list.items.map((x) => el('tr', {},
		el('td', {}, badge('sev', x.severity)),
		el('td', { class: 'wrap' },
			el('details', {}, el('summary', {}, el('span', { class: 'rec-title' }, x.title),
				' ', el('span', { class: 'mono muted' }, x.id)),
			x.remediation ? el('p', {}, x.remediation) : null,
			el('div', { class: 'chips' }, el('span', { class: 'label' }, 'Devices'),
				(x.device_ids || []).map((id) => el('a', { class: 'chip mono', href: deviceHref(id) }, id))))),
		cell(x.category),
		el('td', { class: 'num' }, el('span', { class: 'count-badge' }, fmtNum(x.devices)))));
	return el('div', {},
		el('div', { class: 'page-head' }, el('h1', {}, 'Recommendations'),
			el('p', { class: 'muted' }, 'What to fix, with the number of devices exposed; open one to see how and where.')),
		el('section', { class: 'card flush' },
			table(['Severity', 'Recommendation', 'Category', ['Exposed devices', 'num']], rows,
				'No open recommendation: nothing the sensor sees needs fixing.', 'grid recs')));
}

/* ---- sensor health ---- */

async function renderHealth() {
	const s = await api('GET', '/status');
	const k = s.kernel || {};
	const st = s.store || {};
	const counters = Object.entries(k.counters || {});
	return el('div', {},
		el('div', { class: 'page-head' }, el('h1', {}, 'Sensor health'),
			el('p', { class: 'muted' }, 'The sensor, its programs in the kernel, its store and its outputs.')),
		el('div', { class: 'tiles' },
			tile('Uptime', fmtDuration(s.uptime_s), '#/health'), tile('Devices', st.devices, '#/devices'),
			tile('Alerts', st.alerts, '#/alerts'),
			tile('Packets', k.counters && k.counters.packets, '#/health'),
			tile('Interfaces', (k.interfaces || []).length, '#/health')),
		el('div', { class: 'cols' },
			section('Sensor', null, el('dl', { class: 'props' }, prop('Name', s.sensor), prop('Site', s.site),
				prop('Zone', s.zone), prop('Version', s.version), prop('Uptime', fmtDuration(s.uptime_s)),
				prop('Mode', s.daemon === undefined ? null : s.daemon ? 'daemon (sensing)' :
					'serve (reads the store; not sensing)'), prop('Pin directory', k.pin_dir, true))),
			section('Store', null, el('dl', { class: 'props' }, prop('Path', st.path, true),
				prop('Devices', fmtNum(st.devices)), prop('Alerts', fmtNum(st.alerts)),
				prop('Schema version', st.schema_version)))),
		section('Kernel', null,
			el('p', {}, k.attached ? el('span', { class: 'badge ok' }, 'attached') :
				el('span', { class: 'badge off' }, 'not attached'), ' ',
			el('span', { class: 'muted' }, k.attached ? 'The XDP/TC programs are sensing.' :
				'No program of this sensor is in the kernel: `iotsense run` or `iotsense load` attaches them.')),
			table(['Interface', 'Index', 'XDP mode', 'Program id'], (k.interfaces || []).map((i) => el('tr', {},
				cell(i.ifname, 'mono'), cell(i.ifindex, 'num'), cell(i.xdp_mode), cell(i.xdp_prog_id, 'num'))),
			'No interface.')),
		section('Kernel counters', counters.length, table(['Counter', ['Value', 'num']], counters.map(([n, v]) =>
			el('tr', {}, cell(n, 'mono'), el('td', { class: 'num' }, fmtNum(v)))), 'No counter (nothing attached).',
		'grid counters')),
		section('Outputs', (s.outputs || []).length, table(['Output', 'Queued', 'Sent', 'Failures', 'Dropped',
			'Last success', 'Last error'], (s.outputs || []).map((o) => el('tr', {}, cell(o.name, 'mono'),
			el('td', { class: 'num' }, fmtNum(o.queued)), el('td', { class: 'num' }, fmtNum(o.sent)),
			el('td', { class: 'num' + (o.failures ? ' bad' : '') }, fmtNum(o.failures)),
			el('td', { class: 'num' + (o.dropped ? ' bad' : '') }, fmtNum(o.dropped)),
			timeCell(o.last_ok), cell(o.last_error))), 'No output configured.')));
}

/* ---- start ---- */

async function loadIdentity() {
	try {
		const s = await api('GET', '/status');
		const parts = [s.sensor, s.site, s.zone, s.version ? 'v' + s.version : null].filter(Boolean);
		document.getElementById('sensor-id').textContent = parts.join(' \u00b7 ');
	} catch (e) {
		/* the page itself says what is wrong */
	}
}

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', () => {
	setupToken();
	route();
	loadIdentity();
});
