/**
 * The demo help centre of 云墨打印 / Yunmo Printers: real answers for the three demo products
 * (P200 home inkjet, P500 office laser, M300 multifunction inkjet), in Simplified Chinese and
 * English. Links between articles use the English slug; the Chinese version's slug is `<slug>-zh`.
 */

export interface DemoCategory {
  slug: string;
  en: string;
  zh: string;
  enDescription: string;
  zhDescription: string;
}

/** `questions`: other ways customers ask it ("people also ask"), which search learns from. */
interface DemoText { title: string; description: string; body: string; questions?: string[] }

export interface DemoArticle {
  slug: string;
  category: string;
  faq?: boolean;
  tags: string[];
  product?: string;
  en: DemoText;
  zh: DemoText;
}

export const DEMO_CATEGORIES: DemoCategory[] = [
  { slug: 'setup', en: 'Setting up', zh: '安装与设置', enDescription: 'Unpacking, first start, paper and apps.', zhDescription: '开箱、首次开机、装纸与手机应用。' },
  { slug: 'printing-problems', en: 'Printing problems', zh: '打印问题', enDescription: 'Nothing prints, blank pages, streaks, offline.', zhDescription: '不打印、空白页、条纹、脱机等问题。' },
  { slug: 'paper-jams', en: 'Paper and paper jams', zh: '纸张与卡纸', enDescription: 'Clearing and preventing jams, paper types.', zhDescription: '清除和预防卡纸，支持的纸张。' },
  { slug: 'ink-toner', en: 'Ink and toner', zh: '墨盒与碳粉', enDescription: 'Replacing cartridges, levels, print head care.', zhDescription: '更换墨盒、查看墨量、打印头保养。' },
  { slug: 'wifi-network', en: 'Wi-Fi and network', zh: '无线与网络', enDescription: 'Connecting to Wi-Fi, routers, office networks.', zhDescription: '连接 Wi-Fi、更换路由器、办公室网络。' },
  { slug: 'drivers', en: 'Drivers and software', zh: '驱动与软件', enDescription: 'Windows and macOS drivers, firmware, scanning.', zhDescription: 'Windows 与 macOS 驱动、固件、扫描。' },
  { slug: 'warranty-repair', en: 'Warranty and repair', zh: '保修与维修', enDescription: 'Warranty terms, repairs, serial numbers, invoices.', zhDescription: '保修条款、维修、序列号与发票。' },
];

const link = (slug: string, locale: 'en' | 'zh') => `/help/articles/${locale === 'en' ? slug : `${slug}-zh`}`;

export const DEMO_ARTICLES: DemoArticle[] = [
  // ---- setting up ----
  {
    slug: 'first-time-setup', category: 'setup', tags: ['setup', 'p200', 'p500', 'm300'],
    en: {
      title: 'Setting up your printer for the first time',
      description: 'From the box to the first page in about ten minutes.',
      body: `1. Remove all orange tape and the cardboard insert behind the front cover.
2. Connect the power cable and press the **power** button. Choose your language on the display.
3. Install the ink cartridges (P200, M300) or check that the toner cartridge is seated (P500): see [Replace an ink cartridge](${link('replace-ink-cartridge', 'en')}).
4. [Load plain A4 paper](${link('load-paper', 'en')}). The printer prints an alignment page by itself.
5. Connect the printer: [to Wi-Fi](${link('connect-wifi', 'en')}) or [by USB](${link('connect-usb', 'en')}).
6. [Install the driver](${link('install-driver-windows', 'en')}) or the Yunmo Print app on your phone.

Keep the packaging for the first 15 days: you need it if the printer has to be exchanged.`,
    },
    zh: {
      title: '首次安装打印机',
      description: '从开箱到打印第一页，大约十分钟。',
      body: `1. 撕下所有橙色胶带，取出前盖后面的纸板固定件。
2. 接好电源线，按下**电源**键，在屏幕上选择语言。
3. 安装墨盒（P200、M300）或确认硒鼓已装好（P500），参见[更换墨盒](${link('replace-ink-cartridge', 'zh')})。
4. [放入 A4 普通纸](${link('load-paper', 'zh')})，打印机会自动打印一张校准页。
5. 连接打印机：[连接 Wi-Fi](${link('connect-wifi', 'zh')}) 或 [USB 连接](${link('connect-usb', 'zh')})。
6. [安装驱动程序](${link('install-driver-windows', 'zh')})，或在手机上安装“云墨打印”App。

请保留包装箱 15 天：如需换机，需要用原包装寄回。`,
    },
  },
  {
    slug: 'load-paper', category: 'setup', tags: ['paper', 'setup'],
    en: {
      title: 'Loading paper into the tray',
      description: 'How much paper fits and how to set the guides.',
      body: `1. Pull the paper tray out fully.
2. Slide the paper width guides to the edges.
3. Fan the stack of paper so the sheets do not stick together, then insert it **print side down**, up to the ▼ mark (about 150 sheets of 80 g/m² paper).
4. Push the guides gently against the paper: not so tight that the paper bends.
5. Push the tray back in. On the display, confirm the paper size and type.

Paper that is too full, curled or damp is the most common cause of [paper jams](${link('clear-paper-jam', 'en')}).`,
    },
    zh: {
      title: '如何在纸盒中装纸',
      description: '纸盒能装多少纸，导板怎么调。',
      body: `1. 将纸盒完全拉出。
2. 把纸张宽度导板推到两侧。
3. 先把纸抖松，避免粘连，然后**打印面朝下**放入，不要超过 ▼ 标记（80 克纸约 150 张）。
4. 轻轻把导板靠紧纸张，不要太紧以免纸张弯曲。
5. 推回纸盒，在屏幕上确认纸张尺寸和类型。

纸装得太满、纸张卷曲或受潮，是[卡纸](${link('clear-paper-jam', 'zh')})最常见的原因。`,
    },
  },
  {
    slug: 'connect-usb', category: 'setup', tags: ['usb', 'setup', 'driver'],
    en: {
      title: 'Connecting the printer by USB',
      description: 'The simplest connection for one computer.',
      body: `1. Use a USB 2.0 cable (type A to type B), no longer than 3 m. Plug it into the back of the printer.
2. Plug the other end straight into the computer, not into a USB hub or monitor.
3. Windows 10/11 installs a basic driver by itself; for all features [install the Yunmo driver](${link('install-driver-windows', 'en')}). On a Mac, see [macOS](${link('install-driver-macos', 'en')}).

If the computer does not react when you plug the cable in, try another USB port and another cable.`,
    },
    zh: {
      title: '通过 USB 连接打印机',
      description: '一台电脑使用时最简单的连接方式。',
      body: `1. 使用 USB 2.0 数据线（A 口转 B 口），长度不超过 3 米，插入打印机背面。
2. 另一端直接插在电脑上，不要经过 USB 集线器或显示器。
3. Windows 10/11 会自动安装基础驱动；如需全部功能，请[安装云墨驱动程序](${link('install-driver-windows', 'zh')})。Mac 电脑请参见 [macOS 驱动](${link('install-driver-macos', 'zh')})。

插上数据线后电脑没有任何反应时，请换一个 USB 口和一根数据线再试。`,
    },
  },
  {
    slug: 'yunmo-print-app', category: 'setup', tags: ['app', 'phone', 'wifi'],
    en: {
      title: 'Printing from your phone with the Yunmo Print app',
      description: 'Print photos and documents from iPhone and Android.',
      body: `1. Install **Yunmo Print** from the App Store, Google Play or the Huawei and Xiaomi app stores.
2. Make sure the phone is on the same Wi-Fi network as the printer ([connect the printer to Wi-Fi](${link('connect-wifi', 'en')})).
3. Open the app and tap **Add printer**; it finds the printer by itself. If it does not, enter the [printer's IP address](${link('find-printer-ip', 'en')}).
4. Choose a photo or document and tap **Print**.

iPhones can also print without the app through AirPrint: tap **Share → Print** in any app.`,
    },
    zh: {
      title: '用“云墨打印”App 从手机打印',
      description: '在 iPhone 和安卓手机上打印照片和文档。',
      body: `1. 在 App Store、华为或小米应用市场下载安装“**云墨打印**”。
2. 确认手机和打印机连接的是同一个 Wi-Fi（[如何连接 Wi-Fi](${link('connect-wifi', 'zh')})）。
3. 打开 App，点击**添加打印机**，App 会自动搜索。如果找不到，请手动输入[打印机的 IP 地址](${link('find-printer-ip', 'zh')})。
4. 选择照片或文档，点击**打印**。

iPhone 也可以不装 App，直接使用 AirPrint：在任意应用中点击**分享 → 打印**。`,
    },
  },
  {
    slug: 'set-default-printer', category: 'setup', tags: ['windows', 'macos', 'setup'],
    en: {
      title: 'Making Yunmo your default printer',
      description: 'So every Print command goes to the right printer.',
      body: `**Windows 11:** Settings → Bluetooth & devices → Printers & scanners. Turn off *Let Windows manage my default printer*, click your Yunmo printer, then **Set as default**.

**macOS:** System Settings → Printers & Scanners → *Default printer* → choose Yunmo.

If print jobs go to "Microsoft Print to PDF" or an old printer, this is usually why.`,
    },
    zh: {
      title: '把云墨设置为默认打印机',
      description: '让每次“打印”都发送到正确的打印机。',
      body: `**Windows 11：**设置 → 蓝牙和其他设备 → 打印机和扫描仪。关闭“让 Windows 管理默认打印机”，点击云墨打印机，选择**设为默认值**。

**macOS：**系统设置 → 打印机与扫描仪 → “默认打印机” → 选择云墨。

打印任务总是发到“Microsoft Print to PDF”或旧打印机上，通常就是这个原因。`,
    },
  },
  // ---- printing problems ----
  {
    slug: 'printer-does-not-print', category: 'printing-problems', faq: true, tags: ['not printing', 'offline', 'queue'],
    en: {
      title: 'My printer does not print',
      questions: ['I click print and nothing happens', 'Printer says offline', 'Print jobs stuck in the queue'],
      description: 'Work through these checks in order; most problems are solved by step 3.',
      body: `1. **Look at the display.** A message such as *Paper jam*, *Replace cartridge* or *Cover open* tells you exactly what to fix: see [Clear a paper jam](${link('clear-paper-jam', 'en')}) and [Cartridge not recognised](${link('cartridge-not-recognised', 'en')}).
2. **Is the printer online?** If the computer shows it as offline, see [Printer shows offline](${link('printer-offline', 'en')}).
3. **Clear the print queue.** A stuck job blocks every job behind it: see [Clear a stuck print queue](${link('print-queue-stuck', 'en')}).
4. **Right printer?** Check that you are printing to Yunmo and not to another printer: [set the default printer](${link('set-default-printer', 'en')}).
5. **Restart** the printer (power off for 30 seconds), the router and the computer.
6. **Reinstall the driver**: [Windows](${link('install-driver-windows', 'en')}), [macOS](${link('install-driver-macos', 'en')}).

Still nothing? Use our step-by-step troubleshooting or contact us with the printer's serial number.`,
    },
    zh: {
      title: '打印机不打印怎么办',
      questions: ['点了打印没反应', '打印机显示脱机', '打印任务一直卡在队列里'],
      description: '按顺序检查，大多数问题在第 3 步之前就能解决。',
      body: `1. **先看屏幕提示。**“卡纸”“请更换墨盒”“盖板打开”等提示会直接告诉您问题所在：参见[清除卡纸](${link('clear-paper-jam', 'zh')})和[无法识别墨盒](${link('cartridge-not-recognised', 'zh')})。
2. **打印机是否在线？**电脑上显示脱机时，请参见[打印机显示脱机](${link('printer-offline', 'zh')})。
3. **清空打印队列。**一个卡住的任务会挡住后面所有任务：参见[清除卡住的打印队列](${link('print-queue-stuck', 'zh')})。
4. **打印机选对了吗？**确认打印到的是云墨而不是其他打印机：[设置默认打印机](${link('set-default-printer', 'zh')})。
5. **重启**打印机（断电 30 秒）、路由器和电脑。
6. **重新安装驱动程序**：[Windows](${link('install-driver-windows', 'zh')})、[macOS](${link('install-driver-macos', 'zh')})。

仍然不行？请使用分步故障排查，或带上打印机序列号联系我们。`,
    },
  },
  {
    slug: 'blank-pages', category: 'printing-problems', faq: true, tags: ['blank', 'ink', 'print head'],
    en: {
      title: 'The printer prints blank pages',
      questions: ['Pages come out white', 'Printer prints nothing on the paper'],
      description: 'Paper comes out, but nothing is printed on it.',
      body: `- **New cartridge?** Remove the protective tape from the nozzles. Tape left on is the most common cause.
- **Ink level:** [check the ink levels](${link('check-ink-levels', 'en')}); an empty cartridge prints blank.
- **Clogged nozzles:** if the printer was unused for weeks, [clean the print head](${link('clean-print-head', 'en')}) up to three times.
- **Laser (P500):** make sure the orange transport lock of the toner cartridge has been removed.

Print a nozzle check page (Menu → Maintenance → Nozzle check) to see which colour is missing.`,
    },
    zh: {
      title: '打印机打出空白页',
      questions: ['打出来是白纸', '打印出来什么都没有'],
      description: '纸张能走出来，但上面什么都没有。',
      body: `- **刚换的墨盒？**请撕掉喷嘴上的保护胶带，这是最常见的原因。
- **墨量：**[查看墨量](${link('check-ink-levels', 'zh')})，墨盒没墨时会打出空白页。
- **喷嘴堵塞：**打印机闲置了几周时，请[清洗打印头](${link('clean-print-head', 'zh')})，最多连续三次。
- **激光机（P500）：**确认硒鼓上的橙色运输保护件已经取下。

打印一张喷嘴检查页（菜单 → 维护 → 喷嘴检查），可以看出缺哪种颜色。`,
    },
  },
  {
    slug: 'streaks-on-prints', category: 'printing-problems', tags: ['quality', 'streaks', 'print head'],
    en: {
      title: 'Streaks, lines or smudges on prints',
      description: 'Improve print quality step by step.',
      body: `1. Print a nozzle check page (Menu → Maintenance → Nozzle check). Gaps in the pattern mean clogged nozzles: [clean the print head](${link('clean-print-head', 'en')}).
2. Run **print head alignment** (Menu → Maintenance → Alignment) if vertical lines look jagged.
3. Choose the right paper type in the print dialog; glossy photo paper printed as "plain paper" smudges.
4. On the P500 (laser), repeating marks every 7.5 cm come from the drum: replace the [toner cartridge](${link('replace-toner', 'en')}).`,
    },
    zh: {
      title: '打印出现条纹、横线或污渍',
      description: '一步步改善打印质量。',
      body: `1. 打印喷嘴检查页（菜单 → 维护 → 喷嘴检查）。图案有断线说明喷嘴堵塞：请[清洗打印头](${link('clean-print-head', 'zh')})。
2. 竖线出现锯齿时，运行**打印头校准**（菜单 → 维护 → 校准）。
3. 在打印对话框中选对纸张类型；光面相纸按“普通纸”打印会蹭脏。
4. P500（激光机）上每隔 7.5 厘米重复出现的污点来自感光鼓：请[更换硒鼓](${link('replace-toner', 'zh')})。`,
    },
  },
  {
    slug: 'print-queue-stuck', category: 'printing-problems', tags: ['queue', 'windows', 'not printing'],
    en: {
      title: 'Clearing a stuck print queue',
      description: 'When one job blocks all others.',
      body: `**Windows:** Settings → Printers & scanners → Yunmo → **Open print queue** → ⋯ → **Cancel all**. If a job stays "Deleting", restart the computer; or run \`services.msc\`, restart the *Print Spooler* service.

**macOS:** System Settings → Printers & Scanners → Yunmo → **Printer Queue…** → delete the jobs → **Resume** if the printer is paused.

Then print a test page. If the queue fills up again, [reinstall the driver](${link('install-driver-windows', 'en')}).`,
    },
    zh: {
      title: '清除卡住的打印队列',
      description: '一个任务卡住导致所有任务都无法打印时。',
      body: `**Windows：**设置 → 打印机和扫描仪 → 云墨 → **打开打印队列** → ⋯ → **全部取消**。任务一直显示“正在删除”时请重启电脑，或运行 \`services.msc\` 重启 *Print Spooler* 服务。

**macOS：**系统设置 → 打印机与扫描仪 → 云墨 → **打印队列…** → 删除任务；如果打印机已暂停，点击**继续**。

然后打印测试页。如果队列又卡住，请[重新安装驱动程序](${link('install-driver-windows', 'zh')})。`,
    },
  },
  {
    slug: 'printer-offline', category: 'printing-problems', faq: true, tags: ['offline', 'wifi', 'network'],
    en: {
      title: 'The printer shows "offline"',
      description: 'The computer cannot reach the printer.',
      body: `1. Check the printer is switched on and not in deep sleep: press any button.
2. Check the Wi-Fi icon on the printer. If it blinks, the printer lost the network: [reconnect it](${link('connect-wifi', 'en')}). New router? See [after a router change](${link('wifi-after-router-change', 'en')}).
3. Print the network report (Menu → Network → Print report) and compare the IP address with the one the computer uses ([find the IP address](${link('find-printer-ip', 'en')})).
4. **Windows:** open the print queue and untick *Use printer offline*.
5. Remove the printer from the computer and add it again.`,
    },
    zh: {
      title: '打印机显示“脱机”',
      description: '电脑连接不到打印机。',
      body: `1. 确认打印机已开机且不在深度睡眠：按任意键唤醒。
2. 查看打印机上的 Wi-Fi 图标。图标闪烁说明断网了：请[重新连接](${link('connect-wifi', 'zh')})。刚换了路由器？请看[更换路由器后重新连接](${link('wifi-after-router-change', 'zh')})。
3. 打印网络报告（菜单 → 网络 → 打印报告），核对电脑使用的 IP 地址是否一致（[查找 IP 地址](${link('find-printer-ip', 'zh')})）。
4. **Windows：**打开打印队列，取消勾选“脱机使用打印机”。
5. 在电脑上删除打印机后重新添加。`,
    },
  },
  {
    slug: 'slow-printing', category: 'printing-problems', tags: ['speed', 'quality', 'wifi'],
    en: {
      title: 'Printing is very slow',
      description: 'Speed up long documents and photos.',
      body: `- Choose **Standard** or **Draft** quality instead of *Best* for everyday documents.
- Two-sided printing is slower by design: the ink needs time to dry before the sheet turns.
- Over Wi-Fi, a weak signal slows large PDFs down; move the printer closer to the router or use [USB](${link('connect-usb', 'en')}).
- "Quiet mode" (Menu → Settings) halves the speed; switch it off.
- After 30 minutes of continuous printing the P200 slows down to protect the print head; this is normal.`,
    },
    zh: {
      title: '打印速度很慢',
      description: '加快长文档和照片的打印速度。',
      body: `- 日常文档请选择**标准**或**草稿**质量，不要用“最佳”。
- 双面打印本身就较慢：翻面前需要等墨水干燥。
- 使用 Wi-Fi 时，信号弱会拖慢大 PDF 文件；请把打印机放近路由器，或改用 [USB 连接](${link('connect-usb', 'zh')})。
- “静音模式”（菜单 → 设置）会让速度减半，请关闭。
- P200 连续打印 30 分钟后会自动降速以保护打印头，这是正常现象。`,
    },
  },
  {
    slug: 'faded-prints', category: 'printing-problems', product: 'P500', tags: ['toner', 'quality', 'p500'],
    en: {
      title: 'Faded or light prints on the P500',
      description: 'Laser prints that get paler.',
      body: `1. Take the toner cartridge out and rock it gently from side to side five times to spread the toner. Put it back.
2. Turn **toner save mode** off (Menu → Settings → Toner save).
3. Check the toner level ([check the levels](${link('check-ink-levels', 'en')})); below 10 % prints fade. [Replace the toner](${link('replace-toner', 'en')}).
4. Use paper of 70–90 g/m²; very smooth or damp paper takes toner badly.`,
    },
    zh: {
      title: 'P500 打印颜色变淡',
      description: '激光打印越来越浅时。',
      body: `1. 取出硒鼓，左右轻轻摇晃五次，使碳粉分布均匀，再装回去。
2. 关闭**省墨模式**（菜单 → 设置 → 省墨）。
3. 查看碳粉余量（[查看墨量](${link('check-ink-levels', 'zh')})）；低于 10% 时打印会变淡，请[更换硒鼓](${link('replace-toner', 'zh')})。
4. 使用 70–90 克的纸张；过于光滑或受潮的纸张不易吸附碳粉。`,
    },
  },
  // ---- paper and jams ----
  {
    slug: 'clear-paper-jam', category: 'paper-jams', faq: true, tags: ['paper jam', 'paper'],
    en: {
      title: 'How to clear a paper jam',
      questions: ['Paper stuck in the printer', 'Printer keeps saying paper jam but there is no paper'],
      description: 'Remove jammed paper safely, without tearing it.',
      body: `1. Switch the printer **off** and unplug it. On the P500 wait 10 minutes: the fuser is hot.
2. Pull out the paper tray and remove any sheet that is partly fed.
3. Open the **rear access door** and pull the jammed paper out slowly with both hands, in the direction the paper travels.
4. Open the front cover and check for torn pieces; a torn corner causes the next jam.
5. Close everything, switch on, and print a test page.

If paper jams again and again, see [Prevent paper jams](${link('prevent-paper-jams', 'en')}) and [Paper does not feed](${link('paper-not-feeding', 'en')}).`,
    },
    zh: {
      title: '如何清除卡纸',
      questions: ['纸卡在打印机里了', '一直提示卡纸但里面没有纸'],
      description: '安全地取出卡住的纸张，避免撕破。',
      body: `1. **关闭**打印机并拔掉电源。P500 请等待 10 分钟：定影器温度很高。
2. 拉出纸盒，取出已经进了一半的纸。
3. 打开**后盖**，用双手沿走纸方向慢慢拉出卡住的纸张。
4. 打开前盖，检查有无撕碎的纸片；残留的纸角会导致再次卡纸。
5. 合上所有盖板，开机并打印测试页。

如果反复卡纸，请参见[预防卡纸](${link('prevent-paper-jams', 'zh')})和[不进纸或一次进多张](${link('paper-not-feeding', 'zh')})。`,
    },
  },
  {
    slug: 'prevent-paper-jams', category: 'paper-jams', tags: ['paper jam', 'paper'],
    en: {
      title: 'Preventing paper jams',
      description: 'Habits that keep paper moving.',
      body: `- Do not fill the tray above the ▼ mark; [load paper](${link('load-paper', 'en')}) print side down.
- Fan the stack before loading, and never add paper to a tray that still holds some: take it out, combine, fan, reload.
- Keep paper in its wrapping, away from humidity. Curled paper jams.
- Use [supported paper](${link('supported-paper', 'en')}) only; labels and envelopes go through the rear feed.
- Clean the pick-up rollers every few months with a lint-free cloth moistened with water.`,
    },
    zh: {
      title: '如何预防卡纸',
      description: '让走纸顺畅的好习惯。',
      body: `- 纸张不要超过 ▼ 标记，[装纸](${link('load-paper', 'zh')})时打印面朝下。
- 装纸前先抖松纸张；不要往还有纸的纸盒里直接加纸：先取出、合并、抖松，再放回。
- 纸张放在原包装中保存，远离潮湿。卷曲的纸容易卡纸。
- 只使用[支持的纸张](${link('supported-paper', 'zh')})；标签纸和信封请从后部进纸口放入。
- 每隔几个月用沾水的无绒布擦拭搓纸轮。`,
    },
  },
  {
    slug: 'paper-not-feeding', category: 'paper-jams', tags: ['paper', 'rollers', 'paper jam'],
    en: {
      title: 'Paper does not feed, or several sheets feed at once',
      description: 'Problems with picking up paper.',
      body: `- **Nothing feeds:** check the tray is pushed in fully and the paper size on the display matches the paper.
- **Several sheets at once:** fan the paper, load fewer sheets, and check the guides are not too tight.
- **Worn rollers:** after about 50,000 pages the pick-up rollers lose grip. Clean them; if that does not help, [request a repair](${link('request-repair', 'en')}) — rollers are covered by the [warranty](${link('warranty-terms', 'en')}).`,
    },
    zh: {
      title: '不进纸或一次进多张纸',
      description: '搓纸相关的问题。',
      body: `- **完全不进纸：**确认纸盒已推到底，屏幕上的纸张尺寸与实际纸张一致。
- **一次进多张：**抖松纸张，少放一些，检查导板是否夹得太紧。
- **搓纸轮磨损：**打印约 5 万页后搓纸轮会打滑。先清洁；无效时请[申请维修](${link('request-repair', 'zh')})，搓纸轮在[保修范围](${link('warranty-terms', 'zh')})内。`,
    },
  },
  {
    slug: 'supported-paper', category: 'paper-jams', tags: ['paper', 'sizes'],
    en: {
      title: 'Supported paper types and sizes',
      description: 'What each printer can print on.',
      body: `| Printer | Sizes | Weight |
|---|---|---|
| P200 | A4, A5, B5, 10×15 cm photo, envelopes DL | 64–250 g/m² |
| P500 | A4, A5, B5, Letter | 60–163 g/m² |
| M300 | A4, A5, 10×15 cm photo | 64–300 g/m² (rear feed) |

Photo paper, labels and card go through the **rear feed**, one sheet at a time. Never put inkjet photo paper or inkjet transparencies in the laser P500: they can melt on the fuser.`,
    },
    zh: {
      title: '支持的纸张类型和尺寸',
      description: '各型号可以打印的纸张。',
      body: `| 型号 | 尺寸 | 克重 |
|---|---|---|
| P200 | A4、A5、B5、6 寸照片、DL 信封 | 64–250 克 |
| P500 | A4、A5、B5、Letter | 60–163 克 |
| M300 | A4、A5、6 寸照片 | 64–300 克（后部进纸） |

照片纸、标签纸和卡纸请从**后部进纸口**逐张放入。激光机 P500 不能使用喷墨相纸或喷墨透明胶片：它们会在定影器上熔化。`,
    },
  },
  // ---- ink and toner ----
  {
    slug: 'replace-ink-cartridge', category: 'ink-toner', faq: true, tags: ['ink cartridge', 'ink', 'p200', 'm300'],
    en: {
      title: 'How to replace an ink cartridge',
      description: 'P200 and M300: change a cartridge in under a minute.',
      body: `1. With the printer **on**, open the front cover. The carriage moves to the middle.
2. Press the tab on the empty cartridge and lift it out.
3. Shake the new cartridge gently, unwrap it, and **remove the orange tape** from the nozzles.
4. Slide it into the slot of its colour until it clicks.
5. Close the cover; the printer primes the ink (about one minute).

Use Yunmo YM-20 (P200) or YM-30 (M300) cartridges. If the printer says the cartridge is not recognised, see [Cartridge not recognised](${link('cartridge-not-recognised', 'en')}).`,
    },
    zh: {
      title: '如何更换墨盒',
      description: 'P200 和 M300：一分钟内换好墨盒。',
      body: `1. 在打印机**开机**状态下打开前盖，墨车会移动到中间。
2. 按下空墨盒上的卡扣，把墨盒向上取出。
3. 轻轻摇匀新墨盒，拆开包装，**撕掉喷嘴上的橙色胶带**。
4. 将墨盒插入对应颜色的槽位，听到“咔哒”声即装好。
5. 合上前盖，打印机会自动灌墨（约一分钟）。

请使用云墨 YM-20（P200）或 YM-30（M300）墨盒。如果提示无法识别墨盒，请参见[无法识别墨盒](${link('cartridge-not-recognised', 'zh')})。`,
    },
  },
  {
    slug: 'cartridge-not-recognised', category: 'ink-toner', faq: true, tags: ['ink cartridge', 'error'],
    en: {
      title: 'The printer does not recognise the cartridge',
      description: '"Cartridge not recognised" or "Cartridge error".',
      body: `1. Take the cartridge out and check that all tape is removed, including the tape over the gold contacts.
2. Wipe the gold contacts on the cartridge with a dry, lint-free cloth.
3. Put it back firmly until it clicks; check it is in the slot of its colour.
4. Switch the printer off and on again.
5. Check the model: P200 takes YM-20, M300 takes YM-30. [Refilled or third-party cartridges](${link('third-party-ink', 'en')}) may not be recognised.

If a new original cartridge is still refused, contact us: we replace faulty cartridges free of charge.`,
    },
    zh: {
      title: '打印机无法识别墨盒',
      description: '提示“无法识别墨盒”或“墨盒错误”时。',
      body: `1. 取出墨盒，检查所有胶带是否已撕掉，包括覆盖金色触点的胶带。
2. 用干燥的无绒布擦拭墨盒上的金色触点。
3. 重新用力插入，直到听到“咔哒”声，并确认颜色槽位正确。
4. 关闭打印机再重新开机。
5. 核对型号：P200 使用 YM-20，M300 使用 YM-30。[灌装墨盒或第三方墨盒](${link('third-party-ink', 'zh')})可能无法识别。

如果全新的原装墨盒仍然无法识别，请联系我们：有质量问题的墨盒免费更换。`,
    },
  },
  {
    slug: 'check-ink-levels', category: 'ink-toner', tags: ['ink', 'toner', 'levels'],
    en: {
      title: 'Checking ink and toner levels',
      description: 'Know when to order a new cartridge.',
      body: `- **On the printer:** Menu → Supplies. Each colour is shown as a bar.
- **On Windows:** Printers & scanners → Yunmo → Printing preferences → *Maintenance* tab.
- **In the Yunmo Print app:** the home screen of the printer ([app setup](${link('yunmo-print-app', 'en')})).

The printer warns at 15 % ("Ink low"). You can keep printing until it says "Replace cartridge": then [replace it](${link('replace-ink-cartridge', 'en')}).`,
    },
    zh: {
      title: '查看墨水和碳粉余量',
      description: '了解什么时候该买新墨盒。',
      body: `- **在打印机上：**菜单 → 耗材，每种颜色显示为一个条形。
- **在 Windows 上：**打印机和扫描仪 → 云墨 → 打印首选项 → “维护”选项卡。
- **在“云墨打印”App 中：**打印机主页即可看到（[App 设置](${link('yunmo-print-app', 'zh')})）。

余量低于 15% 时打印机会提示“墨水不足”，可以继续打印，直到提示“请更换墨盒”再[更换](${link('replace-ink-cartridge', 'zh')})。`,
    },
  },
  {
    slug: 'clean-print-head', category: 'ink-toner', tags: ['print head', 'quality', 'blank'],
    en: {
      title: 'Cleaning the print head',
      description: 'Unclog nozzles for sharp prints again.',
      body: `1. Menu → Maintenance → **Print head cleaning**. It takes about two minutes and uses a little ink.
2. Print a nozzle check page. If lines are still missing, clean again — at most **three times** in a row.
3. Still missing? Leave the printer switched on (not unplugged) for 6 hours so the ink can soften, then clean once more.

Printing one page a week keeps nozzles from drying out. Always switch off with the power button, never at the wall: the printer caps the print head when it shuts down.`,
    },
    zh: {
      title: '清洗打印头',
      description: '疏通喷嘴，让打印重新清晰。',
      body: `1. 菜单 → 维护 → **打印头清洗**，约需两分钟，会消耗少量墨水。
2. 打印喷嘴检查页。如果仍有断线，再清洗一次——连续最多**三次**。
3. 还是不行？让打印机保持开机（不要拔电源）6 小时，让墨水软化后再清洗一次。

每周打印一页可以防止喷嘴干涸。请始终用电源键关机，不要直接拔插头：打印机关机时会盖好打印头。`,
    },
  },
  {
    slug: 'replace-toner', category: 'ink-toner', product: 'P500', tags: ['toner', 'p500'],
    en: {
      title: 'Replacing the toner cartridge (P500)',
      description: 'The laser printer\'s toner cartridge YT-50.',
      body: `1. Open the front cover and pull the toner cartridge out by its handle.
2. Unpack the new YT-50 cartridge, rock it side to side five times, and pull off the **orange transport lock**.
3. Slide it in until it clicks and close the cover.
4. Put the old cartridge in the new one's box: Yunmo collects it free of charge for recycling (see the label inside).

A YT-50 prints about 3,000 pages at 5 % coverage; the XL version YT-50X about 8,000.`,
    },
    zh: {
      title: '更换硒鼓（P500）',
      description: '激光打印机硒鼓 YT-50。',
      body: `1. 打开前盖，握住把手拉出硒鼓。
2. 拆开新的 YT-50 硒鼓，左右摇晃五次，拔掉**橙色运输保护件**。
3. 推入硒鼓直到“咔哒”一声，合上前盖。
4. 把旧硒鼓装进新硒鼓的包装盒：云墨免费上门回收（见盒内标签）。

YT-50 在 5% 覆盖率下约可打印 3000 页，大容量 YT-50X 约 8000 页。`,
    },
  },
  {
    slug: 'third-party-ink', category: 'ink-toner', tags: ['ink', 'warranty', 'ink cartridge'],
    en: {
      title: 'Can I use refilled or third-party ink?',
      description: 'What it means for print quality and warranty.',
      body: `You may. The printer shows a notice once and then prints. However:

- ink levels cannot be shown for refilled cartridges;
- damage caused by third-party ink (for example a print head clogged by unsuitable ink) is **not covered** by the [warranty](${link('warranty-terms', 'en')});
- the warranty for everything else stays valid.

If a third-party cartridge is [not recognised](${link('cartridge-not-recognised', 'en')}), try the original.`,
    },
    zh: {
      title: '可以使用灌装墨水或第三方墨盒吗？',
      description: '对打印质量和保修的影响。',
      body: `可以。打印机会提示一次，然后照常打印。但请注意：

- 灌装墨盒无法显示墨量；
- 第三方墨水造成的损坏（例如不合适的墨水堵塞打印头）**不在**[保修范围](${link('warranty-terms', 'zh')})内；
- 其他部件的保修仍然有效。

第三方墨盒[无法识别](${link('cartridge-not-recognised', 'zh')})时，请换回原装墨盒试试。`,
    },
  },
  // ---- Wi-Fi and network ----
  {
    slug: 'connect-wifi', category: 'wifi-network', faq: true, tags: ['wifi', 'wireless', 'network'],
    en: {
      title: 'Connecting the printer to Wi-Fi',
      description: 'With the display, or with the WPS button of your router.',
      body: `**With the display:** Menu → Network → Wi-Fi setup → choose your network → enter the password. The Wi-Fi icon stops blinking when connected.

**With WPS:** hold the printer's Wi-Fi button for 3 seconds, then press the WPS button on the router within 2 minutes.

Things to know:
- The printer uses **2.4 GHz** Wi-Fi. If your router shows one name for 2.4 and 5 GHz, that is fine; a 5 GHz-only network is not found.
- Passwords are case-sensitive.
- No router? Use [Wi-Fi Direct](${link('wifi-direct', 'en')}).

Then add the printer on your computer ([driver](${link('install-driver-windows', 'en')})) or phone ([app](${link('yunmo-print-app', 'en')})).`,
    },
    zh: {
      title: '如何把打印机连接到 Wi-Fi',
      description: '通过屏幕设置，或使用路由器的 WPS 按钮。',
      body: `**通过屏幕：**菜单 → 网络 → 无线设置 → 选择网络 → 输入密码。连接成功后 Wi-Fi 图标停止闪烁。

**通过 WPS：**长按打印机上的 Wi-Fi 键 3 秒，然后在 2 分钟内按下路由器上的 WPS 键。

注意事项：
- 打印机使用 **2.4 GHz** 无线网络。路由器把 2.4G 和 5G 合并为一个名称没有问题；只有 5G 的网络搜索不到。
- 密码区分大小写。
- 没有路由器？请使用 [Wi-Fi 直连](${link('wifi-direct', 'zh')})。

然后在电脑上（[安装驱动](${link('install-driver-windows', 'zh')})）或手机上（[云墨打印 App](${link('yunmo-print-app', 'zh')})）添加打印机。`,
    },
  },
  {
    slug: 'wifi-after-router-change', category: 'wifi-network', faq: true, tags: ['wifi', 'router', 'offline'],
    en: {
      title: 'Reconnecting after changing your router or Wi-Fi password',
      description: 'The printer still looks for the old network.',
      body: `The printer remembers only one network. After a new router or a new password:

1. [Connect the printer to the new Wi-Fi](${link('connect-wifi', 'en')}).
2. Print the network report (Menu → Network → Print report) and note the new IP address.
3. On each computer, remove the Yunmo printer and add it again; on phones, the app finds it by itself.

Offices: give the printer a fixed IP address in the router (DHCP reservation), so it keeps its address — see [Share a printer in an office](${link('share-printer-office', 'en')}).`,
    },
    zh: {
      title: '更换路由器或 Wi-Fi 密码后重新连接',
      description: '打印机还在寻找旧的网络时。',
      body: `打印机只会记住一个网络。更换路由器或修改密码后：

1. [把打印机连接到新的 Wi-Fi](${link('connect-wifi', 'zh')})。
2. 打印网络报告（菜单 → 网络 → 打印报告），记下新的 IP 地址。
3. 在每台电脑上删除云墨打印机后重新添加；手机 App 会自动找到。

办公室用户：请在路由器中为打印机设置固定 IP（DHCP 保留），地址就不会变化——参见[在办公室网络中共享打印机](${link('share-printer-office', 'zh')})。`,
    },
  },
  {
    slug: 'wifi-direct', category: 'wifi-network', tags: ['wifi direct', 'wireless', 'phone'],
    en: {
      title: 'Printing without a router (Wi-Fi Direct)',
      description: 'Connect a phone or laptop straight to the printer.',
      body: `1. On the printer: Menu → Network → **Wi-Fi Direct** → On. The display shows a network name (DIRECT-YUNMO-…) and a password.
2. On the phone or laptop, join that network with the password.
3. Print from the [Yunmo Print app](${link('yunmo-print-app', 'en')}) or add the printer as usual.

While connected by Wi-Fi Direct, the phone has no internet through Wi-Fi. Up to 3 devices can connect at once.`,
    },
    zh: {
      title: '没有路由器时打印（Wi-Fi 直连）',
      description: '手机或笔记本直接连接打印机。',
      body: `1. 在打印机上：菜单 → 网络 → **Wi-Fi 直连** → 开启。屏幕会显示网络名称（DIRECT-YUNMO-…）和密码。
2. 在手机或笔记本上连接这个网络并输入密码。
3. 用[云墨打印 App](${link('yunmo-print-app', 'zh')}) 打印，或像平常一样添加打印机。

通过 Wi-Fi 直连时，手机无法通过 Wi-Fi 上网。最多可同时连接 3 台设备。`,
    },
  },
  {
    slug: 'find-printer-ip', category: 'wifi-network', tags: ['network', 'ip address'],
    en: {
      title: 'Finding the printer\'s IP address',
      description: 'Needed to add the printer by hand.',
      body: `- **On the display:** Menu → Network → Status. The address looks like 192.168.1.23.
- **On paper:** Menu → Network → Print report.
- **Without a display (P500):** hold the Wi-Fi button for 10 seconds; the printer prints the report.

Type the address into a browser to open the printer's web page: there you can check supplies, change network settings and [update the firmware](${link('update-firmware', 'en')}).`,
    },
    zh: {
      title: '查找打印机的 IP 地址',
      description: '手动添加打印机时需要用到。',
      body: `- **在屏幕上：**菜单 → 网络 → 状态，地址类似 192.168.1.23。
- **打印出来：**菜单 → 网络 → 打印报告。
- **没有屏幕的机型（P500）：**长按 Wi-Fi 键 10 秒，打印机会打印网络报告。

在浏览器中输入这个地址可以打开打印机的网页：在那里可以查看耗材、修改网络设置、[升级固件](${link('update-firmware', 'zh')})。`,
    },
  },
  {
    slug: 'share-printer-office', category: 'wifi-network', product: 'P500', tags: ['network', 'office', 'p500'],
    en: {
      title: 'Sharing a printer in an office network',
      description: 'One P500 for a whole team.',
      body: `1. Connect the printer to the office network by **Ethernet cable** (most reliable) or [Wi-Fi](${link('connect-wifi', 'en')}).
2. In the router, reserve a fixed IP address for the printer, so computers always find it.
3. On each computer, add the printer by IP address ([find it](${link('find-printer-ip', 'en')})) with the [Yunmo driver](${link('install-driver-windows', 'en')}).
4. Optional: on the printer's web page, set an administrator password and turn on **secure print** (jobs wait for a PIN).

For 20 or more printers, ask our sales team about a service contract.`,
    },
    zh: {
      title: '在办公室网络中共享打印机',
      description: '整个团队共用一台 P500。',
      body: `1. 用**网线**（最稳定）或 [Wi-Fi](${link('connect-wifi', 'zh')}) 把打印机接入办公网络。
2. 在路由器中为打印机保留固定 IP 地址，电脑就总能找到它。
3. 在每台电脑上通过 IP 地址（[如何查找](${link('find-printer-ip', 'zh')})）添加打印机，并安装[云墨驱动程序](${link('install-driver-windows', 'zh')})。
4. 可选：在打印机网页上设置管理员密码，并开启**安全打印**（任务需输入 PIN 码才打印）。

需要 20 台以上打印机时，欢迎咨询我们的销售团队了解服务合同。`,
    },
  },
  // ---- drivers and software ----
  {
    slug: 'install-driver-windows', category: 'drivers', faq: true, tags: ['driver', 'windows'],
    en: {
      title: 'Installing the printer driver on Windows',
      description: 'Windows 10 and 11, 64-bit.',
      body: `1. Download the **Yunmo Printer Driver** for your model from the Downloads page (search for your model name, e.g. "P200").
2. Run the file and follow the steps; choose **Wi-Fi/network** or **USB**.
3. For USB, plug the cable in only when the installer asks.
4. Print a test page at the end.

If the installer cannot find a network printer, check the printer and computer are on the same network and see [Printer shows offline](${link('printer-offline', 'en')}). An old driver can be removed under Settings → Printers & scanners → Remove.`,
    },
    zh: {
      title: '在 Windows 上安装打印机驱动程序',
      description: '适用于 64 位 Windows 10 和 11。',
      body: `1. 在下载页面找到您的型号（例如搜索“P200”），下载**云墨打印机驱动程序**。
2. 运行安装文件并按提示操作；选择**无线/网络**或 **USB** 连接。
3. 使用 USB 时，请在安装程序提示后再插入数据线。
4. 最后打印一张测试页。

安装程序找不到网络打印机时，请确认打印机和电脑在同一网络，并参见[打印机显示脱机](${link('printer-offline', 'zh')})。旧驱动可以在 设置 → 打印机和扫描仪 → 删除 中移除。`,
    },
  },
  {
    slug: 'install-driver-macos', category: 'drivers', tags: ['driver', 'macos', 'airprint'],
    en: {
      title: 'Adding the printer on a Mac',
      description: 'AirPrint works without a download.',
      body: `1. System Settings → Printers & Scanners → **Add Printer, Scanner or Fax…**
2. Choose the Yunmo printer from the list. Under *Use*, **AirPrint** is fine for everyday printing.
3. For duplex settings, paper trays and the scanner, choose the **Yunmo** driver instead (download it from the Downloads page first).

Not in the list? Make sure the Mac is on the same network, or add it by IP address (the *IP* tab; [find the address](${link('find-printer-ip', 'en')})).`,
    },
    zh: {
      title: '在 Mac 上添加打印机',
      description: '使用 AirPrint 无需下载驱动。',
      body: `1. 系统设置 → 打印机与扫描仪 → **添加打印机、扫描仪或传真…**
2. 在列表中选择云墨打印机，“使用”一栏选择 **AirPrint** 即可满足日常打印。
3. 如需双面设置、纸盒选择和扫描功能，请改选**云墨**驱动（需先从下载页面下载）。

列表里没有？确认 Mac 与打印机在同一网络，或通过 IP 地址添加（“IP”选项卡；[查找 IP 地址](${link('find-printer-ip', 'zh')})）。`,
    },
  },
  {
    slug: 'update-firmware', category: 'drivers', tags: ['firmware', 'update'],
    en: {
      title: 'Updating the printer firmware',
      description: 'Fixes and new features for the printer itself.',
      body: `- **On the printer:** Menu → Settings → Firmware update → Check now. The printer must be connected to the internet.
- **On the web page:** open the [printer's IP address](${link('find-printer-ip', 'en')}) in a browser → Firmware → Update.

Do not switch the printer off during an update (about 5 minutes). Turn on *Automatic updates* to get security fixes without thinking about it.`,
    },
    zh: {
      title: '升级打印机固件',
      description: '为打印机本身修复问题、增加功能。',
      body: `- **在打印机上：**菜单 → 设置 → 固件升级 → 立即检查。打印机需要连接互联网。
- **在网页上：**在浏览器中打开[打印机的 IP 地址](${link('find-printer-ip', 'zh')}) → 固件 → 升级。

升级过程中（约 5 分钟）请勿关机。建议开启“自动升级”，及时获得安全修复。`,
    },
  },
  {
    slug: 'scan-to-computer', category: 'drivers', product: 'M300', tags: ['scan', 'm300'],
    en: {
      title: 'Scanning to your computer (M300)',
      description: 'Scan documents and photos as PDF or JPEG.',
      body: `1. Install the full [Yunmo driver](${link('install-driver-windows', 'en')}); it includes **Yunmo Scan**.
2. Place the document face down on the glass, top left corner at the arrow.
3. Open Yunmo Scan, choose PDF or JPEG and the resolution (300 dpi for documents, 600 dpi for photos), then **Scan**.

On a Mac, use *Image Capture*. From the phone, the [Yunmo Print app](${link('yunmo-print-app', 'en')}) can scan too.`,
    },
    zh: {
      title: '扫描到电脑（M300）',
      description: '把文档和照片扫描为 PDF 或 JPEG。',
      body: `1. 安装完整的[云墨驱动程序](${link('install-driver-windows', 'zh')})，其中包含“**云墨扫描**”。
2. 把文档正面朝下放在玻璃板上，左上角对准箭头。
3. 打开云墨扫描，选择 PDF 或 JPEG 以及分辨率（文档 300 dpi，照片 600 dpi），点击**扫描**。

Mac 电脑可以使用“图像捕捉”。手机上的[云墨打印 App](${link('yunmo-print-app', 'zh')}) 也能扫描。`,
    },
  },
  // ---- warranty and repair ----
  {
    slug: 'warranty-terms', category: 'warranty-repair', faq: true, tags: ['warranty', 'repair'],
    en: {
      title: 'What does the warranty cover?',
      description: 'Two years on every Yunmo printer.',
      body: `- **Duration:** 2 years from the date on your invoice (3 years for the P500 when registered within 30 days).
- **Covered:** faults in materials and workmanship, including the print head, rollers and the power supply.
- **Not covered:** damage from drops, liquids or power surges; consumables (ink, toner); damage caused by [unsuitable third-party ink](${link('third-party-ink', 'en')}).
- **Within 15 days** of purchase, a faulty printer is exchanged for a new one.

Keep your invoice; [you can get an e-invoice](${link('invoice', 'en')}). To use the warranty, [request a repair](${link('request-repair', 'en')}).`,
    },
    zh: {
      title: '保修包括哪些内容？',
      description: '所有云墨打印机均保修两年。',
      body: `- **保修期：**自发票日期起 2 年（P500 在购买 30 天内注册可享 3 年）。
- **保修范围：**材料和工艺缺陷，包括打印头、搓纸轮和电源。
- **不在保修范围：**摔落、进液、电涌造成的损坏；耗材（墨盒、硒鼓）；[不合适的第三方墨水](${link('third-party-ink', 'zh')})造成的损坏。
- **购买 15 天内**出现故障可换新机。

请保留发票；[可以申请电子发票](${link('invoice', 'zh')})。需要保修服务时，请[申请维修](${link('request-repair', 'zh')})。`,
    },
  },
  {
    slug: 'request-repair', category: 'warranty-repair', tags: ['repair', 'warranty', 'service'],
    en: {
      title: 'How to request a repair',
      description: 'Pick-up, repair and return in about 5 working days.',
      body: `1. Have the [serial number](${link('find-serial-number', 'en')}) and your invoice ready.
2. Contact us with the contact form (choose *Service*), by phone or chat, and describe the fault.
3. We first try to solve it remotely. If the printer must come in, a courier picks it up free of charge within the warranty.
4. Pack the printer well (original packaging if possible); remove ink cartridges and the paper.

Outside the warranty we send you a quote before any paid repair.`,
    },
    zh: {
      title: '如何申请维修',
      description: '上门取件、维修、寄回，约 5 个工作日。',
      body: `1. 准备好[序列号](${link('find-serial-number', 'zh')})和发票。
2. 通过联系表单（选择“售后服务”）、电话或在线咨询联系我们，并描述故障。
3. 我们会先尝试远程解决。需要返修时，保修期内快递免费上门取件。
4. 请妥善包装打印机（尽量使用原包装），取出墨盒和纸张。

超出保修期的维修，我们会先报价，经您确认后再收费维修。`,
    },
  },
  {
    slug: 'find-serial-number', category: 'warranty-repair', tags: ['serial number', 'warranty'],
    en: {
      title: 'Finding the serial number',
      description: 'Needed for repairs and warranty registration.',
      body: `- On the label on the **back** of the printer, next to "S/N" (12 characters, starting with YM).
- On the display: Menu → Settings → About.
- On the network report (Menu → Network → Print report).
- On the box, next to the barcode.`,
    },
    zh: {
      title: '查找序列号',
      description: '维修和保修注册时需要用到。',
      body: `- 打印机**背面**的标签上，“S/N”后面的 12 位字符，以 YM 开头。
- 屏幕上：菜单 → 设置 → 关于本机。
- 网络报告上（菜单 → 网络 → 打印报告）。
- 包装箱条形码旁边。`,
    },
  },
  {
    slug: 'invoice', category: 'warranty-repair', faq: true, tags: ['invoice', 'order'],
    en: {
      title: 'Getting an invoice or changing the invoice details',
      description: 'E-invoices (fapiao) for orders from the Yunmo shop.',
      body: `- Orders from the Yunmo online shop get an **electronic invoice** by e-mail within 3 working days of delivery.
- To change the company name or tax number on an invoice, send a request with the order number within 180 days; choose *Finance* on the contact form.
- Invoices are also your proof of purchase for the [warranty](${link('warranty-terms', 'en')}).`,
    },
    zh: {
      title: '开具发票或修改发票信息',
      description: '云墨商城订单的电子发票。',
      body: `- 云墨官方商城的订单会在签收后 3 个工作日内通过邮件发送**电子发票**。
- 需要修改发票抬头或税号时，请在 180 天内提交申请并注明订单号；在联系表单中选择“财务”。
- 发票也是享受[保修服务](${link('warranty-terms', 'zh')})的购买凭证。`,
    },
  },
];

/** Words customers use for the same thing: one group per line, per language. */
export const DEMO_SYNONYMS: { locale: 'zh-CN' | 'en'; terms: string[] }[] = [
  { locale: 'zh-CN', terms: ['卡纸', '夹纸', '塞纸'] },
  { locale: 'zh-CN', terms: ['墨盒', '墨水盒', '墨水匣'] },
  { locale: 'zh-CN', terms: ['无线', 'wifi', 'wi-fi', '无线网络'] },
  { locale: 'zh-CN', terms: ['硒鼓', '碳粉盒', '墨粉盒'] },
  { locale: 'zh-CN', terms: ['驱动', '驱动程序'] },
  { locale: 'zh-CN', terms: ['脱机', '离线'] },
  { locale: 'en', terms: ['paper jam', 'jammed paper', 'misfeed'] },
  { locale: 'en', terms: ['ink cartridge', 'ink tank', 'cartridge'] },
  { locale: 'en', terms: ['wifi', 'wi-fi', 'wireless', 'wlan'] },
  { locale: 'en', terms: ['toner', 'toner cartridge'] },
  { locale: 'en', terms: ['driver', 'printer software'] },
  { locale: 'en', terms: ['offline', 'not connected'] },
];

/**
 * What a few customers wrote with a "not helpful" vote: editors read them on the listening page
 * and beside the article in its editor.
 */
export const DEMO_UNHELPFUL_COMMENTS: { slug: string; locale: 'zh-CN' | 'en'; comment: string }[] = [
  { slug: 'wifi-after-router-change', locale: 'en', comment: 'My router has no WPS button, so step 2 does not work for me.' },
  { slug: 'wifi-after-router-change', locale: 'zh-CN', comment: '我的路由器没有 WPS 按钮，第 2 步做不了。' },
  { slug: 'clear-paper-jam', locale: 'zh-CN', comment: 'P500 的后盖在哪里？图上看不出来。' },
  { slug: 'replace-toner', locale: 'en', comment: 'Which toner fits the P500 XL? The article does not say.' },
];
