/** `portal/quota`: the tenant's plan, whose `audit` flag says whether `login/filter` filters. */
import { api, type Route } from '../http/middleware.js';
import { envelope } from '../http/respond.js';
import type { EmulatorState } from '../state.js';

export function portalRoutes(state: EmulatorState): Route[] {
  return [{ method: 'GET', pattern: api('portal/quota'), handler: (c) => envelope(c, quota(state)) }];
}

/** A business plan with the audit feature, or a startup plan without it. */
function quota(state: EmulatorState) {
  const paid = state.audit;
  const features = paid
    ? 'audit,ldap,sso,statistic,branding,customization,restore,oauth,contentSearch,thirdParty,backup,docsEdition,automationApi'
    : 'docsEdition,oauth,thirdParty,automationApi';
  return {
    tenantId: 1,
    name: paid ? 'business' : 'startup',
    price: paid ? 15 : 0,
    priceCurrencySymbol: '€',
    priceISOCurrencySymbol: 'EUR',
    productId: paid ? '1002' : '1001',
    visible: true,
    wallet: false,
    dueDate: `${new Date(state.now() + 200 * 86_400_000).toISOString().slice(0, 10)}T00:00:00`,
    features,
    maxFileSize: paid ? 1_073_741_824 : 104_857_600,
    maxTotalSize: paid ? 268_435_456_000 : 2_147_483_648,
    countUser: paid ? 1000 : 3,
    countRoomAdmin: paid ? 100 : 3,
    usersInRoom: paid ? 1000 : 3,
    countRoom: paid ? 10_000 : 12,
    nonProfit: false,
    trial: false,
    free: !paid,
    update: false,
    audit: paid,
    docsEdition: true,
    ldap: paid,
    sso: paid,
    statistic: paid,
    branding: paid,
    customization: paid,
    lifetime: false,
    automationApi: true,
    custom: false,
    restore: paid,
    oauth: true,
    contentSearch: paid,
    thirdParty: true,
    year: false,
    countFreeBackup: paid ? 4 : 0,
    backup: paid,
    countAIAgent: 0,
    aiTools: false,
  };
}
