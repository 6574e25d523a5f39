// The programme's own curriculum, written for Kelas in Indonesian with an English variant.
// Three sessions (sex and gender; gender justice for women entrepreneurs; men's role in supporting them),
// a pre-test, a follow-up action plan (RTL) and a post-test. Videos are kept under five minutes, as the
// programme asked. Video and module links are placeholders: replace them with the programme's own.
extension BuiltinCurricula {
    static let adilGender = #"""
# Kurikulum bawaan Kelas: Pelatihan Adil Gender untuk laki-laki (satu minggu lewat grup WhatsApp).
# Built-in Kelas curriculum: gender-justice training for men (one week in a WhatsApp group).
# Copy it beside your batch file (`kelas init` does) and edit freely; links are placeholders.
id: adil-gender
title:
  id: Pelatihan Adil Gender untuk Laki-laki
  en: Gender Justice Training for Men
languages: [id, en]
sessions:
  - number: 1
    title: { id: "Memahami konsep seks dan gender", en: "Understanding sex and gender" }
  - number: 2
    title: { id: "Keadilan gender bagi perempuan pengusaha", en: "Gender justice for women entrepreneurs" }
  - number: 3
    title: { id: "Peran laki-laki mendukung perempuan pengusaha", en: "Men's role in supporting women entrepreneurs" }
  - number: 4
    title: { id: "Rencana tindak lanjut (RTL)", en: "Follow-up action plan (RTL)" }
days:
  - day: 1
    title: { id: "Perkenalan dan pre-test", en: "Welcome and pre-test" }
    items:
      - id: salam-pembuka
        at: "07:30"
        kind: text
        text:
          id: "Assalamu'alaikum, selamat pagi {{name}}! Selamat datang di {{batch}}. Selama satu minggu kita belajar bersama di grup ini. Saya {{trainer}}, pelatih hari ini. Admin kita {{admin}} siap membantu bila ada kendala."
          en: "Good morning {{name}}! Welcome to {{batch}}. For one week we will learn together in this group. I am {{trainer}}, today's trainer. Our admin {{admin}} is here to help with any problem."
      - id: tata-tertib
        at: "08:00"
        kind: text
        text:
          id: "Cara belajar kita: setiap pagi ada video pendek dan modul, lalu satu pertanyaan diskusi. Jawab dengan tulisan atau pesan suara (voice note), kapan saja sampai besok pagi. Kalau kuota atau sinyal sulit, cukup balas singkat; pelatih akan menelepon."
          en: "How we learn: each morning a short video and a module, then one discussion question. Answer in writing or by voice note, any time until the next morning. If data or signal is hard, a short reply is enough; a trainer will call you."
      - id: pre-test
        at: "09:00"
        kind: survey
        survey: pre
        text:
          id: "Sebelum mulai, mohon jawab pre-test ini (10 menit). Jawab setuju, ragu-ragu, atau tidak setuju untuk setiap pernyataan:"
          en: "Before we start, please answer this pre-test (10 minutes). Answer agree, unsure or disagree to each statement:"
        instrument: adil-gender     # the built-in attitude test: its 12 statements are sent, numbered, and the replies scored
      - id: perkenalan
        at: "19:30"
        kind: text
        text:
          id: "Selamat malam {{name}}. Silakan perkenalkan diri: nama, desa, dan usaha istri, saudara atau teman perempuan Bapak."
          en: "Good evening {{name}}. Please introduce yourself: your name, your village, and the business of your wife, sister or female friend."
  - day: 2
    title: { id: "Sesi 1: seks dan gender", en: "Session 1: sex and gender" }
    items:
      - id: salam-sesi-1
        at: "07:30"
        kind: text
        text:
          id: "Selamat pagi {{name}}, hari ke-{{day}} ({{date}}). Hari ini sesi 1: apa beda seks (jenis kelamin) dan gender?"
          en: "Good morning {{name}}, day {{day}} ({{date}}). Today is session 1: what is the difference between sex and gender?"
      - id: video-sesi-1
        at: "07:45"
        kind: video
        url: https://www.youtube.com/watch?v=KELAS-SESI-1
        duration: "4:30"
        text:
          id: "Video sesi 1 (4,5 menit): seks itu kodrat dari Tuhan, gender dibentuk oleh masyarakat dan bisa diubah."
          en: "Session 1 video (4.5 minutes): sex is given by nature, gender is shaped by society and can change."
      - id: modul-sesi-1
        at: "08:00"
        kind: document
        url: https://example.org/kelas/modul-sesi-1.pdf
        filename: modul-sesi-1-seks-dan-gender.pdf
        text:
          id: "Modul sesi 1 untuk dibaca (juga dikirim versi cetak lewat pos)."
          en: "Session 1 module to read (a printed copy is also sent by post)."
      - id: diskusi-sesi-1
        at: "09:00"
        kind: discussion
        session: 1
        closes: "day 3 07:00"
        text:
          id: "Pertanyaan diskusi: sebutkan satu pekerjaan di rumah Bapak yang dianggap 'pekerjaan perempuan'. Apakah itu kodrat atau kebiasaan? Jawab dengan tulisan atau voice note."
          en: "Discussion: name one task in your home that is seen as 'women's work'. Is it nature or habit? Answer in writing or by voice note."
      - id: pengingat-sesi-1
        at: "11:00"
        kind: reminder
        for: diskusi-sesi-1
        text:
          id: "{{name}}, kami menunggu cerita Bapak untuk diskusi sesi 1. Satu kalimat atau satu voice note sudah cukup."
          en: "{{name}}, we are waiting for your story for the session 1 discussion. One sentence or one voice note is enough."
      - id: rangkuman-sesi-1
        at: "20:00"
        kind: text
        text:
          id: "Terima kasih atas jawabannya. Rangkuman: yang berbeda karena kodrat hanya sedikit; pembagian peran lainnya dibuat masyarakat, jadi bisa kita sepakati ulang supaya adil."
          en: "Thank you for your answers. Summary: only a few differences come from nature; the rest of our roles are made by society, so we can agree on fairer ones."
  - day: 3
    title: { id: "Sesi 2: keadilan gender bagi perempuan pengusaha", en: "Session 2: gender justice for women entrepreneurs" }
    items:
      - id: salam-sesi-2
        at: "07:30"
        kind: text
        text:
          id: "Selamat pagi {{name}}, hari ke-{{day}}. Sesi 2: apa arti adil gender bagi perempuan yang berusaha?"
          en: "Good morning {{name}}, day {{day}}. Session 2: what does gender justice mean for women who run a business?"
      - id: video-sesi-2
        at: "07:45"
        kind: video
        url: https://www.youtube.com/watch?v=KELAS-SESI-2
        duration: "4:00"
        text:
          id: "Video sesi 2 (4 menit): akses dan kontrol yang setara atas modal, waktu dan keputusan usaha."
          en: "Session 2 video (4 minutes): equal access to and control over capital, time and business decisions."
      - id: modul-sesi-2
        at: "08:00"
        kind: document
        url: https://example.org/kelas/modul-sesi-2.pdf
        filename: modul-sesi-2-keadilan-gender.pdf
        text:
          id: "Modul sesi 2 untuk dibaca."
          en: "Session 2 module to read."
      - id: diskusi-sesi-2
        at: "09:00"
        kind: discussion
        session: 2
        closes: "day 4 07:00"
        text:
          id: "Pertanyaan diskusi: siapa yang memutuskan soal uang usaha di keluarga Bapak? Apa untungnya jika perempuan ikut memutuskan?"
          en: "Discussion: who decides about business money in your family? What is gained when women decide too?"
      - id: pengingat-sesi-2
        at: "11:00"
        kind: reminder
        for: diskusi-sesi-2
        text:
          id: "{{name}}, belum terlambat untuk menjawab diskusi sesi 2. Kami ingin mendengar pendapat Bapak."
          en: "{{name}}, it is not too late to answer the session 2 discussion. We want to hear your view."
      - id: rangkuman-sesi-2
        at: "20:00"
        kind: text
        text:
          id: "Rangkuman sesi 2: perempuan berhak atas akses dan kontrol yang sama, termasuk mengambil keputusan terbaik untuk usahanya."
          en: "Session 2 summary: women have the right to equal access and control, including making the best decisions for their business."
  - day: 4
    title: { id: "Sesi 3: peran laki-laki", en: "Session 3: men's role" }
    items:
      - id: salam-sesi-3
        at: "07:30"
        kind: text
        text:
          id: "Selamat pagi {{name}}, hari ke-{{day}}. Sesi 3: apa peran kita sebagai laki-laki agar perempuan pengusaha tidak menanggung beban ganda?"
          en: "Good morning {{name}}, day {{day}}. Session 3: what is our role as men so that women entrepreneurs do not carry a double burden?"
      - id: video-sesi-3
        at: "07:45"
        kind: video
        url: https://www.youtube.com/watch?v=KELAS-SESI-3
        duration: "4:45"
        text:
          id: "Video sesi 3 (kurang dari 5 menit): contoh berbagi peran di rumah tangga."
          en: "Session 3 video (under 5 minutes): examples of sharing roles at home."
      - id: modul-sesi-3
        at: "08:00"
        kind: document
        url: https://example.org/kelas/modul-sesi-3.pdf
        filename: modul-sesi-3-peran-laki-laki.pdf
        text:
          id: "Modul sesi 3 untuk dibaca."
          en: "Session 3 module to read."
      - id: diskusi-sesi-3
        at: "09:00"
        kind: discussion
        session: 3
        closes: "day 5 07:00"
        text:
          id: "Pertanyaan diskusi: pekerjaan rumah apa yang mulai minggu ini bisa Bapak ambil alih, supaya istri, saudara atau teman perempuan punya waktu untuk usahanya?"
          en: "Discussion: which household task could you take over from this week, so that your wife, sister or female friend has time for her business?"
      - id: pengingat-sesi-3
        at: "11:00"
        kind: reminder
        for: diskusi-sesi-3
        text:
          id: "{{name}}, satu contoh kecil saja sudah berarti. Yuk jawab diskusi sesi 3."
          en: "{{name}}, one small example already matters. Please answer the session 3 discussion."
      - id: rangkuman-sesi-3
        at: "20:00"
        kind: text
        text:
          id: "Rangkuman sesi 3: dukungan laki-laki itu nyata bila dilakukan setiap hari, dari mencuci piring sampai menjaga anak saat istri berjualan."
          en: "Session 3 summary: men's support is real when it is daily, from washing dishes to minding the children while she sells."
  - day: 5
    title: { id: "Rencana tindak lanjut (RTL)", en: "Follow-up action plan (RTL)" }
    items:
      - id: salam-rtl
        at: "07:30"
        kind: text
        text:
          id: "Selamat pagi {{name}}, hari ke-{{day}}. Hari ini kita menyusun rencana tindak lanjut (RTL): apa yang akan Bapak lakukan setelah pelatihan?"
          en: "Good morning {{name}}, day {{day}}. Today we write a follow-up action plan (RTL): what will you do after the training?"
      - id: rtl
        at: "08:00"
        kind: discussion
        session: 4
        closes: "day 6 20:00"
        text:
          id: "Tulis atau rekam RTL Bapak: (1) satu perubahan di rumah, (2) satu dukungan untuk usaha perempuan, (3) kapan mulai."
          en: "Write or record your RTL: (1) one change at home, (2) one kind of support for a woman's business, (3) when you will start."
      - id: pengingat-rtl
        at: "19:30"
        kind: reminder
        for: rtl
        text:
          id: "{{name}}, RTL Bapak kami tunggu sampai besok malam. Tiga kalimat sudah cukup."
          en: "{{name}}, we are waiting for your RTL until tomorrow evening. Three sentences are enough."
  - day: 6
    title: { id: "Post-test", en: "Post-test" }
    items:
      - id: post-test
        at: "08:00"
        kind: survey
        survey: post
        text:
          id: "Post-test: jawab lagi setuju, ragu-ragu, atau tidak setuju untuk setiap pernyataan:"
          en: "Post-test: again answer agree, unsure or disagree to each statement:"
        instrument: adil-gender     # the built-in attitude test: its 12 statements are sent, numbered, and the replies scored
  - day: 7
    title: { id: "Penutup", en: "Closing" }
    items:
      - id: penutup
        at: "09:00"
        kind: text
        text:
          id: "Terima kasih {{name}} telah mengikuti {{batch}}. Sertifikat akan dikirim oleh {{admin}}. Mari terus menjadi champion keadilan gender di {{district}}!"
          en: "Thank you {{name}} for joining {{batch}}. {{admin}} will send your certificate. Let us keep championing gender justice in {{district}}!"
"""#
}
