// The console's two message tables, Japanese and English, with the same keys (a browser test checks it). The
// language is the one kept in localStorage, else the first of the browser's languages that is Japanese or
// English (`navigator.languages`, what it sends as Accept-Language), else Japanese.

const LANG_KEY = 'daicho.lang';

/** The message tables; `{name}` in a message is replaced by the value of `name`. */
export const messages = {
  ja: {
    'nav.search': '顧客検索', 'nav.segments': 'セグメント', 'nav.live': 'ライブ', 'nav.dashboard': 'ダッシュボード',
    'nav.signout': 'サインアウト', 'nav.language': '言語',
    'common.loading': '読み込み中…', 'common.none': 'なし', 'common.more': 'さらに表示', 'common.cancel': 'キャンセル',
    'error.page': 'このページを表示できません: {message}',
    'signin.title': 'サインイン', 'signin.help': '読み取りトークン（drt_…）を入力してください。`daicho serve keys` で表示できます。トークンはこのタブのセッションにだけ保存され、URL には含まれません。',
    'signin.token': '読み取りトークン', 'signin.submit': 'サインイン', 'signin.refused': 'このトークンは受け付けられませんでした。',
    'signin.failed': 'サーバーがエラーを返しました（HTTP {status}）。', 'signin.unreachable': 'サーバーに接続できません。',
    'search.title': '顧客検索', 'search.label': '顧客を検索', 'search.placeholder': 'メール、電話番号、ユーザーID、x:@handle、p-…',
    'search.kind': '識別子の種類', 'search.submit': '検索', 'search.as': '{kind} として検索します',
    'search.handle_needs_platform': 'ハンドルは「プラットフォーム:ハンドル」の形で入力してください（例: x:@taro）。',
    'search.none': '該当する顧客はいません（{kind}: {value}）。', 'search.invalid': 'この値は検索できません: {message}',
    'search.help': '全角の数字やハイフン、+81 付きの電話番号もそのまま入力できます。正規化は取り込み時と同じ規則でサーバーが行います。',
    'search.browse': 'すべての顧客（古いプロファイル順）', 'search.profile': 'プロファイル', 'search.name': '名前',
    'search.no_profiles': '顧客はまだいません',
    'kind.auto': '自動判別', 'kind.email': 'メール', 'kind.phone': '電話番号', 'kind.user_id': 'ユーザーID', 'kind.id': 'プロファイルID',
    'kind.handle': 'SNS ハンドル', 'kind.anonymous_id': '匿名ID', 'kind.device_id': 'デバイスID',
    'type.page_view': 'ページ閲覧', 'type.purchase': '購入', 'type.inquiry': '問い合わせ', 'type.social_mention': 'SNS 投稿',
    'type.identify': '属性更新', 'type.link': '紐付け', 'type.track': 'イベント',
    'category.complaint': '苦情', 'category.question': '質問', 'category.request': '要望', 'category.opinion': '意見', 'category.(none)': '（カテゴリなし）',
    'event.purchase': '{amount}（注文 {order}）', 'event.sentiment': '感情 {value}',
    'customer.as_of': '時点', 'customer.show_as_of': 'この時点で表示', 'customer.now': '現在に戻る',
    'customer.as_of_note': '{time} 時点の顧客（ライブ更新なし）',
    'customer.title': '顧客', 'customer.gone': 'この顧客は見つかりません。', 'customer.events': 'イベント数',
    'customer.first_seen': '初回', 'customer.last_seen': '最終', 'customer.channels': 'チャネル',
    'customer.identity': '識別子と統合', 'customer.kind': '種類', 'customer.value': '値', 'customer.linked_offset': '紐付けたイベント（オフセット）',
    'customer.linked_at': '紐付け日時', 'customer.merged_ids': '統合されたプロファイル（{count}）', 'customer.refused': '拒否された統合（{count}）',
    'customer.at': '日時', 'customer.kinds': '上限を超えた種類',
    'customer.traits': '属性', 'customer.web': 'ウェブ', 'customer.page_views': 'ページ閲覧', 'customer.sessions': 'セッション',
    'customer.dwell': '滞在時間', 'customer.last_page': '最後のページ', 'customer.top_paths': 'よく見たページ',
    'customer.commerce': '購買', 'customer.orders': '注文数', 'customer.revenue': '売上', 'customer.first_order': '初回購入',
    'customer.last_order': '最終購入', 'customer.rfm': 'RFM', 'customer.frequency': '頻度（購入日数 − 1）',
    'customer.recency': '最近性（初回から最終購入までの日数）', 'customer.age': '経過日数（初回購入から）', 'customer.monetary': '平均購入額（リピート日）',
    'customer.support': 'サポート', 'customer.inquiries': '問い合わせ', 'customer.open': '未解決', 'customer.last_inquiry': '最終問い合わせ',
    'customer.category': 'カテゴリ', 'customer.count': '件数', 'customer.channel': 'チャネル', 'customer.no_channel': 'チャネル別の問い合わせはありません',
    'customer.social': 'ソーシャル', 'customer.mentions': '投稿数', 'customer.sentiment': '平均感情', 'customer.reach': 'リーチ',
    'customer.last_mention': '最終投稿', 'customer.platform': 'プラットフォーム', 'customer.no_platform': '投稿はありません',
    'customer.segments': '所属セグメント', 'customer.segment': 'セグメント', 'customer.since': '加入日時',
    'customer.no_segments': 'どのセグメントにも属していません',
    'timeline.title': 'タイムライン', 'timeline.filter': '種類で絞り込み', 'timeline.all': 'すべての種類', 'timeline.more': '古いイベントを表示',
    'timeline.shown': '{count} 件表示中（新しい順）', 'timeline.empty': 'イベントはありません',
    'live.title': 'ライブ', 'live.feed': 'セグメントの加入・離脱', 'live.events': '受信イベント', 'live.pause': '一時停止', 'live.resume': '再開',
    'live.paused': '一時停止中（再開すると続きから表示します）', 'live.following': 'ライブ更新中', 'live.off': 'ライブ更新できません: {message}',
    'live.waiting': '新しい記録を待っています…', 'live.received': '{count} 件受信（カーソル {cursor}）', 'live.entered': '加入', 'live.exited': '離脱',
    'live.segment': '表示するセグメント', 'live.all_segments': 'すべてのセグメント',
    'live.gap': 'サーバーが保持していない記録があります。カーソル {cursor} の後から再開しました（daicho watch --from で補えます）。',
    'segments.title': 'セグメント', 'segments.new': '新しいセグメント', 'segments.name': '名前', 'segments.members': 'メンバー数',
    'segments.trend': '30日間の推移', 'segments.rule': 'ルール', 'segments.defined_at': '定義日時', 'segments.description': '説明',
    'segments.empty': 'セグメントはまだ定義されていません', 'segments.sparkline': '{name} のメンバー数（{days} 日間）',
    'segment.undefined': 'セグメント「{name}」はまだ定義されていません。ルールを書いて定義できます。',
    'segment.new_help': '名前とルールを入力してください。入力中にルールを検査し、現在のメンバー数を表示します。',
    'segment.editor': 'ルール', 'segment.checking': '検査中…', 'segment.valid': 'ルールは有効です。現在', 'segment.would_have': '人が該当します。',
    'segment.define': '定義する', 'segment.redefine': '再定義する', 'segment.drop': '削除', 'segment.drop_confirm': '「{name}」を削除する',
    'segment.saved': '「{name}」を保存しました: {count} 人', 'segment.members': 'メンバー', 'segment.customer': '顧客', 'segment.since': '加入日時',
    'segment.no_members': 'メンバーはいません', 'segment.history': '加入・離脱の履歴', 'segment.history_chart': '{name} の日別推移',
    'segment.day': '日', 'segment.entered': '加入', 'segment.exited': '離脱', 'segment.changes_chart': '{name} の日別の加入・離脱',
    'segment.no_changes': '{from} から {to} まで加入・離脱はありません',
    'segment.rule_help': 'ルールの書き方は docs/segments.md を参照してください（例: count(purchase within 30d) >= 2）。',
    'dashboard.title': 'ダッシュボード', 'dashboard.from': '開始日', 'dashboard.to': '終了日', 'dashboard.as_of': '時点',
    'dashboard.apply': '表示', 'dashboard.last_days': '直近 {days} 日', 'dashboard.range': '期間', 'dashboard.time_zone': 'タイムゾーン',
    'dashboard.now': '現在', 'dashboard.events_in_range': '期間内のイベント', 'dashboard.events_total': '全イベント', 'dashboard.profiles': 'プロファイル数',
    'dashboard.events': '日別・種類別イベント数', 'dashboard.type': '種類', 'dashboard.total': '合計',
    'dashboard.revenue': '日別売上（通貨別）', 'dashboard.revenue_of': '{currency} の日別売上', 'dashboard.by_source': 'ソース・チャネル別',
    'dashboard.currency': '通貨', 'dashboard.source': 'ソース', 'dashboard.revenue_col': '売上', 'dashboard.share': '通貨内の割合', 'dashboard.orders': '注文数',
    'dashboard.buyers': '新規とリピートの購入者', 'dashboard.new': '新規', 'dashboard.returning': 'リピート', 'dashboard.returning_share': 'リピート率',
    'dashboard.rfm': 'RFM グリッド', 'dashboard.rfm_grid': '最近性（R）× 頻度（F）の五分位', 'dashboard.rfm_customers': '対象顧客',
    'dashboard.recency': 'R', 'dashboard.frequency': 'F', 'dashboard.recency_bounds': 'R の区切り（日）', 'dashboard.frequency_bounds': 'F の区切り',
    'dashboard.cell': 'R{r} F{f}: {customers} 人、{revenue}', 'dashboard.rfm_help': 'セルをクリックすると、そのセルの顧客を一覧できます。R5 が最も最近、F5 が最も頻繁です。',
    'dashboard.voc': '顧客の声（週別問い合わせ）', 'dashboard.voc_opened': '週別の新規問い合わせ（カテゴリ別）', 'dashboard.opened': '受付',
    'dashboard.closed': '完了', 'dashboard.voc_open_closed': '週別の受付と完了（全カテゴリ）', 'dashboard.open_at_end': '期間末の未解決',
    'dashboard.social': 'ソーシャル（週別）', 'dashboard.mentions': '週別の投稿数（プラットフォーム別）', 'dashboard.sentiment': '週別の平均感情（−1〜1）',
    'dashboard.identity': 'ID の健全性', 'dashboard.merges': '統合', 'dashboard.refused': '拒否された統合', 'dashboard.new_profiles': '新規プロファイル',
    'dashboard.by_kind': '識別子の種類別プロファイル数',
    'rfm.title': 'RFM セル R{r} F{f} の顧客', 'rfm.range': '期間 {from} – {to}', 'rfm.shown': '{count} 人表示中',
  },
  en: {
    'nav.search': 'Search', 'nav.segments': 'Segments', 'nav.live': 'Live', 'nav.dashboard': 'Dashboard',
    'nav.signout': 'Sign out', 'nav.language': 'Language',
    'common.loading': 'Loading…', 'common.none': 'None', 'common.more': 'Show more', 'common.cancel': 'Cancel',
    'error.page': 'This page cannot be shown: {message}',
    'signin.title': 'Sign in', 'signin.help': 'Enter a read token (drt_…); `daicho serve keys` prints it. The token is kept for this tab’s session only and never put in a URL.',
    'signin.token': 'Read token', 'signin.submit': 'Sign in', 'signin.refused': 'The server did not accept this token.',
    'signin.failed': 'The server answered with an error (HTTP {status}).', 'signin.unreachable': 'The server cannot be reached.',
    'search.title': 'Find a customer', 'search.label': 'Find a customer', 'search.placeholder': 'e-mail, phone, user id, x:@handle, p-…',
    'search.kind': 'Identifier kind', 'search.submit': 'Search', 'search.as': 'Searching as {kind}',
    'search.handle_needs_platform': 'Write a handle as platform:handle (e.g. x:@taro).',
    'search.none': 'No customer matches ({kind}: {value}).', 'search.invalid': 'This value cannot be searched: {message}',
    'search.help': 'Phone numbers may be typed in any form: full-width digits, hyphens, +81. The server normalizes every value as ingest does.',
    'search.browse': 'Every customer (oldest profile first)', 'search.profile': 'Profile', 'search.name': 'Name',
    'search.no_profiles': 'No customer yet',
    'kind.auto': 'Recognise', 'kind.email': 'E-mail', 'kind.phone': 'Phone', 'kind.user_id': 'User id', 'kind.id': 'Profile id',
    'kind.handle': 'Social handle', 'kind.anonymous_id': 'Anonymous id', 'kind.device_id': 'Device id',
    'type.page_view': 'Page view', 'type.purchase': 'Purchase', 'type.inquiry': 'Inquiry', 'type.social_mention': 'Social mention',
    'type.identify': 'Identify', 'type.link': 'Link', 'type.track': 'Track',
    'category.complaint': 'Complaint', 'category.question': 'Question', 'category.request': 'Request', 'category.opinion': 'Opinion', 'category.(none)': '(no category)',
    'event.purchase': '{amount} (order {order})', 'event.sentiment': 'sentiment {value}',
    'customer.as_of': 'As of', 'customer.show_as_of': 'Show as of then', 'customer.now': 'Back to now',
    'customer.as_of_note': 'The customer as of {time} (not live)',
    'customer.title': 'Customer', 'customer.gone': 'This customer cannot be found.', 'customer.events': 'Events',
    'customer.first_seen': 'First seen', 'customer.last_seen': 'Last seen', 'customer.channels': 'Channels',
    'customer.identity': 'Identifiers and merges', 'customer.kind': 'Kind', 'customer.value': 'Value', 'customer.linked_offset': 'Linked by event (offset)',
    'customer.linked_at': 'Linked at', 'customer.merged_ids': 'Merged profiles ({count})', 'customer.refused': 'Refused merges ({count})',
    'customer.at': 'At', 'customer.kinds': 'Kinds over their limit',
    'customer.traits': 'Traits', 'customer.web': 'Web', 'customer.page_views': 'Page views', 'customer.sessions': 'Sessions',
    'customer.dwell': 'Time on pages', 'customer.last_page': 'Last page', 'customer.top_paths': 'Top pages',
    'customer.commerce': 'Commerce', 'customer.orders': 'Orders', 'customer.revenue': 'Revenue', 'customer.first_order': 'First order',
    'customer.last_order': 'Last order', 'customer.rfm': 'RFM', 'customer.frequency': 'Frequency (purchase days − 1)',
    'customer.recency': 'Recency (days, first to last purchase)', 'customer.age': 'Age (days since first purchase)', 'customer.monetary': 'Monetary (mean of repeat days)',
    'customer.support': 'Support', 'customer.inquiries': 'Inquiries', 'customer.open': 'Open', 'customer.last_inquiry': 'Last inquiry',
    'customer.category': 'Category', 'customer.count': 'Count', 'customer.channel': 'Channel', 'customer.no_channel': 'No inquiries by channel',
    'customer.social': 'Social', 'customer.mentions': 'Mentions', 'customer.sentiment': 'Mean sentiment', 'customer.reach': 'Reach',
    'customer.last_mention': 'Last mention', 'customer.platform': 'Platform', 'customer.no_platform': 'No mentions',
    'customer.segments': 'Segments', 'customer.segment': 'Segment', 'customer.since': 'Member since',
    'customer.no_segments': 'In no segment',
    'timeline.title': 'Timeline', 'timeline.filter': 'Filter by type', 'timeline.all': 'All types', 'timeline.more': 'Older events',
    'timeline.shown': '{count} shown, newest first', 'timeline.empty': 'No events',
    'live.title': 'Live', 'live.feed': 'Segment enters and exits', 'live.events': 'Incoming events', 'live.pause': 'Pause', 'live.resume': 'Resume',
    'live.paused': 'Paused (resuming picks up where it stopped)', 'live.following': 'Live', 'live.off': 'No live updates: {message}',
    'live.waiting': 'Waiting for new records…', 'live.received': '{count} received (cursor {cursor})', 'live.entered': 'entered', 'live.exited': 'exited',
    'live.segment': 'Segment shown', 'live.all_segments': 'All segments',
    'live.gap': 'The server no longer holds some records; resumed after cursor {cursor} (daicho watch --from gives the missing ones).',
    'segments.title': 'Segments', 'segments.new': 'New segment', 'segments.name': 'Name', 'segments.members': 'Members',
    'segments.trend': 'Last 30 days', 'segments.rule': 'Rule', 'segments.defined_at': 'Defined at', 'segments.description': 'Description',
    'segments.empty': 'No segment is defined yet', 'segments.sparkline': 'Members of {name} over {days} days',
    'segment.undefined': 'The segment “{name}” is not defined yet; write a rule to define it.',
    'segment.new_help': 'Name it and write its rule; the rule is checked as you type and the members it would have now are counted.',
    'segment.editor': 'Rule', 'segment.checking': 'Checking…', 'segment.valid': 'The rule checks:', 'segment.would_have': 'customers match it now.',
    'segment.define': 'Define', 'segment.redefine': 'Redefine', 'segment.drop': 'Drop', 'segment.drop_confirm': 'Drop “{name}”',
    'segment.saved': 'Saved “{name}”: {count} members', 'segment.members': 'Members', 'segment.customer': 'Customer', 'segment.since': 'Member since',
    'segment.no_members': 'No members', 'segment.history': 'Enter and exit history', 'segment.history_chart': '{name} per day',
    'segment.day': 'Day', 'segment.entered': 'Entered', 'segment.exited': 'Exited', 'segment.changes_chart': 'Entries and exits of {name} per day',
    'segment.no_changes': 'No entries or exits from {from} to {to}',
    'segment.rule_help': 'Rules are written as docs/segments.md describes (e.g. count(purchase within 30d) >= 2).',
    'dashboard.title': 'Dashboard', 'dashboard.from': 'From', 'dashboard.to': 'To', 'dashboard.as_of': 'As of',
    'dashboard.apply': 'Show', 'dashboard.last_days': 'Last {days} days', 'dashboard.range': 'Range', 'dashboard.time_zone': 'Time zone',
    'dashboard.now': 'now', 'dashboard.events_in_range': 'Events in range', 'dashboard.events_total': 'All events', 'dashboard.profiles': 'Profiles',
    'dashboard.events': 'Events per day by type', 'dashboard.type': 'Type', 'dashboard.total': 'Total',
    'dashboard.revenue': 'Revenue per day by currency', 'dashboard.revenue_of': 'Revenue in {currency} per day', 'dashboard.by_source': 'By source / channel',
    'dashboard.currency': 'Currency', 'dashboard.source': 'Source', 'dashboard.revenue_col': 'Revenue', 'dashboard.share': 'Share of the currency', 'dashboard.orders': 'Orders',
    'dashboard.buyers': 'New vs returning customers', 'dashboard.new': 'New', 'dashboard.returning': 'Returning', 'dashboard.returning_share': 'Returning share',
    'dashboard.rfm': 'RFM grid', 'dashboard.rfm_grid': 'Recency (R) × frequency (F) quintiles', 'dashboard.rfm_customers': 'Customers',
    'dashboard.recency': 'R', 'dashboard.frequency': 'F', 'dashboard.recency_bounds': 'R cut points (days)', 'dashboard.frequency_bounds': 'F cut points',
    'dashboard.cell': 'R{r} F{f}: {customers} customers, {revenue}', 'dashboard.rfm_help': 'Click a cell to list its customers. R5 is the most recent, F5 the most frequent.',
    'dashboard.voc': 'Voice of the customer (inquiries per week)', 'dashboard.voc_opened': 'Inquiries opened per week by category', 'dashboard.opened': 'Opened',
    'dashboard.closed': 'Closed', 'dashboard.voc_open_closed': 'Opened and closed per week (all categories)', 'dashboard.open_at_end': 'Open at the end',
    'dashboard.social': 'Social (per week)', 'dashboard.mentions': 'Mentions per week by platform', 'dashboard.sentiment': 'Mean sentiment per week (−1 to 1)',
    'dashboard.identity': 'Identity health', 'dashboard.merges': 'Merges', 'dashboard.refused': 'Refused merges', 'dashboard.new_profiles': 'New profiles',
    'dashboard.by_kind': 'Profiles per identifier kind',
    'rfm.title': 'Customers in RFM cell R{r} F{f}', 'rfm.range': 'Range {from} – {to}', 'rfm.shown': '{count} shown',
  },
};

function initial() {
  const kept = localStorage.getItem(LANG_KEY);
  if (kept && messages[kept]) return kept;
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (messages[base]) return base;
  }
  return 'ja';
}

let current = initial();

/** The language in use: `ja` or `en`. */
export function language() {
  return current;
}

/** Switches the language and keeps the choice in localStorage. */
export function setLanguage(lang) {
  if (!messages[lang]) return;
  current = lang;
  localStorage.setItem(LANG_KEY, lang);
}

/**
 * The message `key` in the current language with `{name}` replaced from `vars`. A key of no table (a category or
 * identifier kind the console does not know) gives `fallback` when one is passed, else the key.
 */
export function t(key, vars, fallback) {
  const text = messages[current][key] ?? (fallback !== undefined ? fallback : key);
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole)) : text;
}
