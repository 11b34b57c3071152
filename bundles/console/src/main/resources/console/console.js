// The Contop Host console: a client of the host's REST API on the same origin. Device names,
// locations and event details come from phones, so they are untrusted text: this script writes
// every value with textContent and never with innerHTML.
'use strict';

(() => {
  const DEVICES_REFRESH_MS = 5000;
  const EVENTS_POLL_MS = 1500;
  const EVENTS_KEPT = 100;
  const SHORT_DATE_TIME = { dateStyle: 'short', timeStyle: 'short' };

  const element = (id) => document.getElementById(id);

  /** The QR code on screen: its object URL, device id, expiry text and timer. */
  const qr = { url: null, deviceId: null, expiresAt: null, expiry: null, timer: null };
  let devices = [];
  let lastEventTimestamp = null;
  const seenEvents = new Set();
  let revokeTarget = null;

  // ---- Requests -------------------------------------------------------------------------

  async function request(method, path) {
    let response;
    try {
      response = await fetch(path, { method, cache: 'no-store' });
    } catch (error) {
      setHostStatus(false);
      throw new Error('The host does not respond: ' + error.message);
    }
    setHostStatus(true);
    return response;
  }

  async function requestJson(method, path) {
    const response = await request(method, path);
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(body && body.message ? body.message : 'HTTP ' + response.status);
    }
    return body;
  }

  function setHostStatus(reachable) {
    const status = element('host-status');
    status.textContent = reachable ? 'Host running' : 'The host does not respond';
    status.className = reachable ? 'ok' : 'error';
  }

  // ---- Pairing --------------------------------------------------------------------------

  function randomSuffix() {
    const bytes = new Uint8Array(3);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function pair(type) {
    const params = new URLSearchParams({ connection_type: type });
    let deviceId = element('device-id').value.trim();
    if (!deviceId && type === 'temp') {
      deviceId = 'guest-' + randomSuffix();
    }
    if (deviceId) {
      params.set('device_id', deviceId);
    }
    setPairingBusy(true);
    element('pair-error').textContent = '';
    try {
      const response = await request('POST', '/api/pair?' + params);
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        throw new Error(body && body.message ? body.message : 'HTTP ' + response.status);
      }
      const expiresAt = response.headers.get('x-pairing-expires-at');
      showQr(await response.blob(), deviceId || null, expiresAt, type);
      refreshDevices();
    } catch (error) {
      element('pair-error').textContent = 'Pairing failed: ' + error.message;
    } finally {
      setPairingBusy(false);
    }
  }

  function setPairingBusy(busy) {
    element('pair-permanent').disabled = busy;
    element('pair-temp').disabled = busy;
  }

  function showQr(blob, deviceId, expiresAt, type) {
    clearQr();
    qr.url = URL.createObjectURL(blob);
    qr.deviceId = deviceId;
    qr.expiresAt = expiresAt;
    qr.expiry = expiresAt ? new Date(expiresAt) : null;
    const image = element('qr-image');
    image.src = qr.url;
    image.hidden = false;
    image.classList.remove('invalid');
    element('qr-placeholder').hidden = true;
    element('qr-caption').textContent = (type === 'temp' ? 'Temporary' : 'Permanent') + ' pairing'
        + (deviceId ? ' for device ' + deviceId : '');
    updateExpiry();
    qr.timer = setInterval(updateExpiry, 1000);
  }

  /** Shows the QR code of the last pairing made elsewhere (shell, curl) when the page opens. */
  async function showLastQr() {
    try {
      const response = await request('GET', '/api/qr-image');
      if (!response.ok) {
        return;
      }
      showQr(await response.blob(), null, null, null);
      element('qr-caption').textContent = 'The last QR code made on this host';
      element('qr-expiry').textContent = 'Made before this page opened; the device list shows when pairings expire.';
    } catch (error) {
      // The host status line already shows that the host does not respond.
    }
  }

  function clearQr() {
    if (qr.timer) {
      clearInterval(qr.timer);
    }
    if (qr.url) {
      URL.revokeObjectURL(qr.url);
    }
    Object.assign(qr, { url: null, deviceId: null, expiresAt: null, expiry: null, timer: null });
  }

  function updateExpiry() {
    if (!qr.expiry) {
      return;
    }
    const remaining = qr.expiry.getTime() - Date.now();
    const text = element('qr-expiry');
    if (remaining <= 0) {
      invalidateQr('This QR code has expired.');
      return;
    }
    text.textContent = 'Expires in ' + formatDuration(remaining) + ' (' + qr.expiry.toLocaleString() + ')';
  }

  function invalidateQr(message) {
    if (qr.timer) {
      clearInterval(qr.timer);
      qr.timer = null;
    }
    qr.expiry = null;
    qr.expiresAt = null;
    element('qr-image').classList.add('invalid');
    element('qr-expiry').textContent = message;
  }

  /** Marks the QR code invalid once its token is no longer the active one for its device. */
  async function checkQrStillValid() {
    if (!qr.expiresAt) {
      return;
    }
    const query = qr.deviceId ? '?device_id=' + encodeURIComponent(qr.deviceId) : '';
    const expiresAt = qr.expiresAt;
    try {
      const status = await requestJson('GET', '/api/pair/status' + query);
      if (qr.expiresAt === expiresAt && (status.status !== 'active' || status.expires_at !== expiresAt)) {
        invalidateQr('This QR code no longer works: its pairing was revoked, replaced or expired.');
      }
    } catch (error) {
      // Checked again at the next refresh.
    }
  }

  function formatDuration(milliseconds) {
    let seconds = Math.floor(milliseconds / 1000);
    const days = Math.floor(seconds / 86400);
    seconds -= days * 86400;
    const hours = Math.floor(seconds / 3600);
    seconds -= hours * 3600;
    const minutes = Math.floor(seconds / 60);
    seconds -= minutes * 60;
    const parts = [];
    if (days) parts.push(days + ' d');
    if (days || hours) parts.push(hours + ' h');
    if (days || hours || minutes) parts.push(minutes + ' min');
    if (!days) parts.push(seconds + ' s');
    return parts.join(' ');
  }

  function formatAge(timestamp) {
    if (!timestamp) {
      return 'never';
    }
    const age = Date.now() - new Date(timestamp).getTime();
    return age < 1000 ? 'just now' : formatDuration(age) + ' ago';
  }

  // ---- Devices --------------------------------------------------------------------------

  async function refreshDevices() {
    try {
      const body = await requestJson('GET', '/api/devices');
      devices = body.devices || [];
      renderDevices();
      addEvents(body.events || []);
      element('devices-updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      element('devices-updated').textContent = 'Not updated: ' + error.message;
    }
    checkQrStillValid();
  }

  /**
   * Returns the device that DELETE /api/pair without device_id revokes: the newest valid permanent
   * pairing, otherwise the newest pairing (the host's selection rule).
   */
  function deviceRevokedWithoutId() {
    const newestFirst = [...devices].sort((a, b) => new Date(b.paired_at) - new Date(a.paired_at));
    return newestFirst.find((device) => device.connection_type === 'permanent') || newestFirst[0] || null;
  }

  function renderDevices() {
    const rows = element('device-rows');
    rows.replaceChildren();
    const withoutId = deviceRevokedWithoutId();
    for (const device of devices) {
      const row = document.createElement('tr');
      row.dataset.deviceId = device.device_id || '';
      row.dataset.deviceName = device.device_name || '';
      addCell(row, device.device_name, 'name');
      addCell(row, device.device_id || '—', 'device-id');
      addCell(row, device.connection_type, 'type');
      const connected = addCell(row, device.connected ? 'connected' : 'not connected', 'connected');
      connected.classList.add(device.connected ? 'ok' : 'muted');
      addCell(row, device.connection_path || '—', 'path');
      addCell(row, device.last_location || '—', 'location');
      const lastSeen = addCell(row, formatAge(device.last_seen), 'last-seen');
      lastSeen.title = device.last_seen || '';
      const expires = addCell(row, new Date(device.expires_at).toLocaleString([], SHORT_DATE_TIME), 'expires');
      expires.title = device.expires_at;

      const actions = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'revoke danger';
      button.textContent = 'Revoke';
      if (!device.device_id && device !== withoutId) {
        button.disabled = true;
        button.title = 'Paired without a device id: the host revokes such a pairing only when it is the newest '
            + '(permanent first). Revoke the newer pairings first, or let it expire.';
      }
      button.addEventListener('click', () => askRevoke(device));
      actions.append(button);
      row.append(actions);
      rows.append(row);
    }
    element('devices-empty').hidden = devices.length > 0;
  }

  function addCell(row, text, className) {
    const cell = document.createElement('td');
    cell.className = className;
    cell.textContent = text == null ? '' : String(text);
    row.append(cell);
    return cell;
  }

  function askRevoke(device) {
    revokeTarget = device;
    element('revoke-name').textContent = device.device_name;
    element('revoke-error').textContent = '';
    element('revoke-confirm').disabled = false;
    element('revoke-dialog').showModal();
  }

  async function confirmRevoke() {
    if (!revokeTarget) {
      return;
    }
    const query = revokeTarget.device_id ? '?device_id=' + encodeURIComponent(revokeTarget.device_id) : '';
    element('revoke-confirm').disabled = true;
    try {
      const body = await requestJson('DELETE', '/api/pair' + query);
      if (!body.revoked) {
        element('revoke-error').textContent = body.message || 'Nothing was revoked.';
        element('revoke-confirm').disabled = false;
        return;
      }
      revokeTarget = null;
      element('revoke-dialog').close();
      refreshDevices();
    } catch (error) {
      element('revoke-error').textContent = 'Revoking failed: ' + error.message;
      element('revoke-confirm').disabled = false;
    }
  }

  // ---- Events ---------------------------------------------------------------------------

  async function pollEvents() {
    const query = lastEventTimestamp ? '?since=' + encodeURIComponent(lastEventTimestamp) : '';
    try {
      const body = await requestJson('GET', '/api/devices' + query);
      if (addEvents(body.events || []) > 0) {
        devices = body.devices || [];
        renderDevices();
        refreshPaths();
      }
    } catch (error) {
      // The host status line shows the failure, and the next poll tries again.
    }
  }

  /** Adds events not shown yet, newest first, and returns how many were new. */
  function addEvents(events) {
    const list = element('events');
    let added = 0;
    for (const event of events) {
      const key = [event.type, event.device_id, event.device_name, event.timestamp].join('\u0000');
      if (seenEvents.has(key)) {
        continue;
      }
      seenEvents.add(key);
      added++;
      if (!lastEventTimestamp || new Date(event.timestamp) >= new Date(lastEventTimestamp)) {
        lastEventTimestamp = event.timestamp;
      }
      const item = document.createElement('li');
      item.className = 'event event-' + String(event.type).replace(/[^a-z_]/g, '');
      const time = document.createElement('time');
      time.dateTime = event.timestamp;
      time.textContent = new Date(event.timestamp).toLocaleTimeString();
      const type = document.createElement('strong');
      type.textContent = String(event.type).replace(/_/g, ' ');
      const name = document.createElement('span');
      name.textContent = event.device_name || event.device_id || 'unknown device';
      item.append(time, ' ', type, ' ', name);
      if (event.details) {
        const details = document.createElement('span');
        details.className = 'details';
        details.textContent = ' — ' + event.details;
        item.append(details);
      }
      list.prepend(item);
    }
    while (list.children.length > EVENTS_KEPT) {
      list.lastElementChild.remove();
    }
    element('events-empty').hidden = list.children.length > 0;
    return added;
  }

  // ---- Network paths and tunnel ---------------------------------------------------------

  async function refreshPaths() {
    try {
      const info = await requestJson('GET', '/api/connection-info');
      const list = element('paths');
      list.replaceChildren();
      addPath(list, 'Port', info.server_port);
      addPath(list, 'LAN address', info.lan_ip || 'not found');
      addPath(list, 'Tailscale address', info.tailscale_available ? info.tailscale_ip : 'not found');
      addPath(list, 'Tunnel', info.tunnel_active ? info.tunnel_url : 'not running');
      const known = new Set(['lan', 'tailscale', 'tunnel']);
      for (const [id, address] of Object.entries(info.network_paths || {})) {
        if (!known.has(id)) {
          addPath(list, 'Path ' + id, address || 'no address');
        }
      }
      addPath(list, 'Connected phones', info.connected_clients);
    } catch (error) {
      // The host status line shows the failure.
    }
  }

  function addPath(list, label, value) {
    const term = document.createElement('dt');
    term.textContent = label;
    const description = document.createElement('dd');
    description.textContent = value == null ? '' : String(value);
    list.append(term, description);
  }

  async function startTunnel() {
    const button = element('tunnel-start');
    const progress = element('tunnel-progress');
    const started = Date.now();
    button.disabled = true;
    progress.className = 'busy';
    const showProgress = () => {
      progress.textContent = 'Starting the tunnel… ' + Math.floor((Date.now() - started) / 1000) + ' s';
    };
    showProgress();
    const timer = setInterval(showProgress, 1000);
    try {
      const body = await requestJson('POST', '/api/tunnel/start');
      progress.className = 'ok';
      progress.textContent = (body.already_running ? 'The tunnel was already running: ' : 'Tunnel running: ')
          + body.tunnel_url;
    } catch (error) {
      progress.className = 'error';
      progress.textContent = 'The tunnel did not start: ' + error.message;
    } finally {
      clearInterval(timer);
      button.disabled = false;
      refreshPaths();
    }
  }

  // ---- Start ----------------------------------------------------------------------------

  function start() {
    element('pair-permanent').addEventListener('click', () => pair('permanent'));
    element('pair-temp').addEventListener('click', () => pair('temp'));
    element('revoke-confirm').addEventListener('click', confirmRevoke);
    element('revoke-cancel').addEventListener('click', () => {
      revokeTarget = null;
      element('revoke-dialog').close();
    });
    element('tunnel-start').addEventListener('click', startTunnel);

    showLastQr();
    refreshDevices();
    refreshPaths();
    setInterval(() => {
      refreshDevices();
      refreshPaths();
    }, DEVICES_REFRESH_MS);
    setInterval(pollEvents, EVENTS_POLL_MS);
  }

  start();
})();
