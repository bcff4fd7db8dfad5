//! [`Genre`]: what kind of thing a resource is (a map, a sound recording, a
//! printed book…), as opposed to its IIIF type ([`ResourceKind`]). One
//! table, [`Genre::facts`], gives every output's name for each kind, so the
//! citation, the metadata for machines and the page's wording agree; and
//! one vocabulary, [`Genre::from_description`], reads the words catalogues
//! write in a "Type"/"Genre"/"Format" field. Nothing here reads IIIF JSON
//! (`load::iiif` does) or decides precedence (`citation` does).
//!
//! [`ResourceKind`]: crate::model::resource::ResourceKind

use serde::Serialize;

/// What kind of thing a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Genre {
    /// An image or a set of images of an object (the default for manifests).
    Image,
    /// A photograph.
    Photograph,
    /// A print (engraving, etching, woodcut, lithograph…).
    Print,
    /// A map, chart or atlas sheet.
    Map,
    /// A manuscript (a handwritten book or document).
    Manuscript,
    /// A printed book or monograph.
    Book,
    /// A newspaper or periodical issue.
    Newspaper,
    /// A letter.
    Letter,
    /// A musical score.
    Score,
    /// A sound recording.
    Audio,
    /// A film or video recording.
    Video,
    /// A text that is none of the above.
    Text,
    /// A 3D model.
    Model,
    /// A dataset.
    Dataset,
    /// A collection of resources.
    Collection,
    /// Annotations (an annotation page, list or single annotation).
    Annotation,
    /// An article or preprint (CSL `article`).
    Article,
    /// An interview.
    Interview,
    /// A web page.
    Webpage,
}

/// Every output's name for one [`Genre`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GenreFacts {
    /// The name written in the registry's `resource_type` and site.toml.
    pub name: &'static str,
    /// What people call it, as on the page and in DataCite's `resourceType`.
    pub label: &'static str,
    /// CSL item type (cite.json `type`, and the CSL styles' rules).
    pub csl: &'static str,
    /// schema.org type (JSON-LD `@type`, signposting `type`).
    pub schema_org: &'static str,
    /// DataCite `resourceTypeGeneral`.
    pub datacite: &'static str,
    /// Zotero item type (`z:itemType`, COinS `rft.type`).
    pub zotero: &'static str,
    /// RIS reference type (`TY`).
    pub ris: &'static str,
    /// biblatex entry type (a type of biblatex's default data model).
    pub bibtex: &'static str,
    /// DCMI Type vocabulary term (`DC.type`).
    pub dcmi: &'static str,
    /// One of its parts (its canvases) as the page counts them: "1 image".
    pub part: &'static str,
    /// Several of its parts: "12 pages".
    pub parts: &'static str,
}

impl Genre {
    /// Every genre, in the order of the README's table.
    pub const ALL: [Genre; 19] = [
        Genre::Image,
        Genre::Photograph,
        Genre::Print,
        Genre::Map,
        Genre::Manuscript,
        Genre::Book,
        Genre::Newspaper,
        Genre::Letter,
        Genre::Score,
        Genre::Audio,
        Genre::Video,
        Genre::Text,
        Genre::Model,
        Genre::Dataset,
        Genre::Collection,
        Genre::Annotation,
        Genre::Article,
        Genre::Interview,
        Genre::Webpage,
    ];

    /// The one table: what each output calls this genre.
    ///
    /// Zotero has no type for a collection or a score (`document` is its
    /// type for what fits no other); CSL's `song` is any audio recording,
    /// and `personal_communication` is Zotero's `letter`. biblatex's default
    /// data model gives `@artwork`, `@image`, `@audio`, `@video`, `@letter`
    /// and `@periodical` no fields, or none of those written here, so
    /// biber's data-model check flags even their `title` (biblatex's own
    /// styles print them as `@misc`); maps, manuscripts and scores have no
    /// type of their own. All of these are `@misc`, with the genre's label
    /// in its `type` field.
    pub const fn facts(self) -> GenreFacts {
        // One positional row per genre reads as a table; named fields
        // would spread each row over eleven lines.
        #[allow(clippy::too_many_arguments)]
        const fn f(
            name: &'static str,
            label: &'static str,
            csl: &'static str,
            schema_org: &'static str,
            datacite: &'static str,
            zotero: &'static str,
            ris: &'static str,
            bibtex: &'static str,
            dcmi: &'static str,
            part: &'static str,
            parts: &'static str,
        ) -> GenreFacts {
            GenreFacts {
                name,
                label,
                csl,
                schema_org,
                datacite,
                zotero,
                ris,
                bibtex,
                dcmi,
                part,
                parts,
            }
        }
        #[rustfmt::skip]
        let facts = match self {
            //                           name          label              CSL                       schema.org          DataCite       Zotero             RIS        biblatex      DCMI                  parts
            Genre::Image =>      f("image",      "Image",           "graphic",                "VisualArtwork",    "Image",       "artwork",         "ART",     "misc",       "Image",              "image", "images"),
            Genre::Photograph => f("photograph", "Photograph",      "graphic",                "Photograph",       "Image",       "artwork",         "ART",     "misc",       "StillImage",         "image", "images"),
            Genre::Print =>      f("print",      "Print",           "graphic",                "VisualArtwork",    "Image",       "artwork",         "ART",     "misc",       "StillImage",         "image", "images"),
            Genre::Map =>        f("map",        "Map",             "map",                    "Map",              "Image",       "map",             "MAP",     "misc",       "Image",              "image", "images"),
            Genre::Manuscript => f("manuscript", "Manuscript",      "manuscript",             "Manuscript",       "Text",        "manuscript",      "MANSCPT", "misc",       "Text",               "page",  "pages"),
            Genre::Book =>       f("book",       "Book",            "book",                   "Book",             "Text",        "book",            "BOOK",    "book",       "Text",               "page",  "pages"),
            Genre::Newspaper =>  f("newspaper",  "Newspaper issue", "periodical",             "PublicationIssue", "Text",        "newspaperArticle", "NEWS",   "misc",       "Text",               "page",  "pages"),
            Genre::Letter =>     f("letter",     "Letter",          "personal_communication", "Message",          "Text",        "letter",          "PCOMM",   "misc",       "Text",               "page",  "pages"),
            Genre::Score =>      f("score",      "Musical score",   "musical_score",          "SheetMusic",       "Text",        "document",        "MUSIC",   "misc",       "Text",               "page",  "pages"),
            Genre::Audio =>      f("audio",      "Sound recording", "song",                   "AudioObject",      "Sound",       "audioRecording",  "SOUND",   "misc",       "Sound",              "recording", "recordings"),
            Genre::Video =>      f("video",      "Video",           "motion_picture",         "VideoObject",      "Audiovisual", "videoRecording",  "VIDEO",   "misc",       "MovingImage",        "video", "videos"),
            Genre::Text =>       f("text",       "Text",            "document",               "CreativeWork",     "Text",        "document",        "GEN",     "misc",       "Text",               "page",  "pages"),
            Genre::Model =>      f("model",      "3D model",        "graphic",                "3DModel",          "Model",       "artwork",         "ART",     "misc",       "InteractiveResource", "model", "models"),
            Genre::Dataset =>    f("dataset",    "Dataset",         "dataset",                "Dataset",          "Dataset",     "dataset",         "DATA",    "dataset",    "Dataset",            "part",  "parts"),
            Genre::Collection => f("collection", "Collection",      "collection",             "Collection",       "Collection",  "document",        "DBASE",   "misc",       "Collection",         "member", "members"),
            Genre::Annotation => f("annotation", "Annotations",     "document",               "CreativeWork",     "Text",        "document",        "GEN",     "misc",       "Text",               "annotation", "annotations"),
            Genre::Article =>    f("article",    "Article",         "article",                "Article",          "Text",        "preprint",        "GEN",     "online",     "Text",               "page",  "pages"),
            Genre::Interview =>  f("interview",  "Interview",       "interview",              "CreativeWork",     "Text",        "interview",       "GEN",     "misc",       "Text",               "part",  "parts"),
            Genre::Webpage =>    f("webpage",    "Web page",        "webpage",                "WebPage",          "Text",        "webpage",         "ELEC",    "online",     "Text",               "page",  "pages"),
        };
        facts
    }

    /// Read the registry's `resource_type` or site.toml's
    /// `default_resource_type`: a genre's name, or one of the CSL types
    /// the registry accepted before genres (`graphic`, `document`,
    /// `musical_score`, `song`, `motion_picture`). Case is ignored.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        let csl_alias = match name.as_str() {
            "graphic" => Some(Genre::Image),
            "document" => Some(Genre::Text),
            "musical_score" => Some(Genre::Score),
            "song" => Some(Genre::Audio),
            "motion_picture" => Some(Genre::Video),
            _ => None,
        };
        csl_alias.or_else(|| Self::ALL.into_iter().find(|g| g.facts().name == name))
    }

    /// The names [`Genre::from_name`] accepts, for error messages.
    pub fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|g| g.facts().name).collect();
        format!(
            "{} (or the CSL types graphic, document, musical_score, song, motion_picture)",
            names.join(", ")
        )
    }

    /// The genre a catalogue's description names, e.g. the value of a
    /// metadata field labelled "Type" ("Manuscripts, Medieval England",
    /// "Handschrift", "Original Format: map", "Buch"), if it names one.
    /// The most specific wins: "manuscript map" is a map, "printed book" a
    /// book. Generic words ("text", "image", "object") name none.
    pub fn from_description(text: &str) -> Option<Self> {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let phrase = format!(" {} ", words.join(" "));
        DESCRIPTION_WORDS.iter().find_map(|(genre, patterns)| {
            patterns
                .iter()
                .any(|p| matches(p, &words, &phrase))
                .then_some(*genre)
        })
    }
}

/// Whether one pattern of [`DESCRIPTION_WORDS`] occurs: a phrase (with a
/// space) anywhere, a stem (ending in `*`) at the start of a word, or a
/// whole word.
fn matches(pattern: &str, words: &[&str], phrase: &str) -> bool {
    if pattern.contains(' ') {
        match pattern.strip_suffix('*') {
            Some(stem) => phrase.contains(&format!(" {stem}")),
            None => phrase.contains(&format!(" {pattern} ")),
        }
    } else if let Some(stem) = pattern.strip_suffix('*') {
        words.iter().any(|w| w.starts_with(stem))
    } else {
        words.contains(&pattern)
    }
}

/// The words catalogues use for each genre, in the languages of the
/// corpus (English, German, French, Dutch, Italian, Spanish, Welsh,
/// Swedish), most specific genre first.
const DESCRIPTION_WORDS: &[(Genre, &[&str])] = &[
    (
        Genre::Audio,
        &[
            "sound recording*",
            "audio",
            "audiobook",
            "sound",
            "sounds",
            "tonaufnahme*",
            "tondokument*",
            "audio recording*",
            "geluidsopname*",
            "enregistrement sonore",
            "registrazione sonora",
            "grabación sonora",
            "oral history",
            "cassette*",
            "audiocassette*",
            "tape reel*",
            "phonograph*",
            "gramophone*",
        ],
    ),
    (
        Genre::Video,
        &[
            "video*",
            "film",
            "films",
            "moving image*",
            "motion picture*",
            "filmaufnahme*",
            "película",
        ],
    ),
    (Genre::Model, &["3d", "3d model*"]),
    (Genre::Dataset, &["dataset*", "data set*", "datensatz"]),
    // Postcards first: a "carte postale" or "Ansichtskarte" is no map.
    (
        Genre::Image,
        &[
            "postcard*",
            "post card*",
            "postkarte*",
            "ansichtskarte*",
            "carte postale",
            "cartes postales",
            "briefkaart*",
            "prentbriefkaart*",
        ],
    ),
    (
        Genre::Map,
        &[
            "map",
            "maps",
            "karte",
            "karten",
            "landkarte*",
            "kaart",
            "kaarten",
            "carte",
            "cartes",
            "mapa",
            "mapas",
            "mappa",
            "atlas",
            "cartographic*",
            "kartografi*",
            "kartographi*",
        ],
    ),
    (
        Genre::Score,
        &[
            "score",
            "scores",
            "musical score*",
            "sheet music",
            "notated music",
            "noten",
            "musiknoten",
            "partitur*",
            "partition",
            "partitions",
            "partituur",
            "partitura",
        ],
    ),
    (
        Genre::Newspaper,
        &[
            "newspaper*",
            "zeitung*",
            "krant*",
            "periodical*",
            "zeitschrift*",
            "tijdschrift*",
            "periodico",
            "periódico",
            "papur newydd",
        ],
    ),
    (
        Genre::Letter,
        &[
            "letter",
            "letters",
            "brief",
            "briefe",
            "lettre",
            "lettres",
            "carta",
            "cartas",
            "lettera",
            "correspondence",
            "korrespondenz",
            "correspondance",
            "brev",
            "llythyr*",
        ],
    ),
    (
        Genre::Photograph,
        &[
            "photograph*",
            "photo",
            "photos",
            "foto",
            "fotos",
            "fotograf*",
            "photographie*",
            "ffotograff*",
        ],
    ),
    (
        Genre::Print,
        &[
            "print",
            "prints",
            "engraving*",
            "etching*",
            "woodcut*",
            "lithograph*",
            "druckgraphik*",
            "druckgrafik*",
            "kupferstich*",
            "holzschnitt*",
            "radierung*",
            "gravure*",
            "estampe*",
            "prent",
            "prenten",
            "stampa",
            "grabado",
        ],
    ),
    (
        Genre::Manuscript,
        &[
            "manuscri*",
            "manoscritt*",
            "handschrift*",
            "handskrift*",
            "llawysgrif*",
            "codex",
            "codices",
        ],
    ),
    (
        Genre::Book,
        &[
            "book",
            "books",
            "printed book*",
            "monograph*",
            "buch",
            "bücher",
            "druck",
            "drucke",
            "boek",
            "boeken",
            "livre",
            "livres",
            "libro",
            "libri",
            "libros",
            "llyfr*",
            "bok",
            "böcker",
            "incunabul*",
            "inkunabel*",
        ],
    ),
];

/// Metadata labels (lower case, without a trailing colon) whose value says
/// what a resource is, in the languages of the corpus.
pub const GENRE_LABELS: &[&str] = &[
    "type",
    "typ",
    "genre",
    "genre/form",
    "form",
    "format",
    "original format",
    "physical format",
    "physical description",
    "object type",
    "object category",
    "type of object",
    "type of resource",
    "resource type",
    "work type",
    "classification",
    "category",
    "objektart",
    "objekttyp",
    "objektkategorie",
    "dokumenttyp",
    "dokumentart",
    "medientyp",
    "gattung",
    "kategorie",
    "art",
    "soort",
    "objectsoort",
    "soort object",
    "objecttype",
    "type de document",
    "type de ressource",
    "type d'objet",
    "tipo",
    "tipologia",
    "tipo de documento",
    "tipo di documento",
    "math",
    "ffurf",
    "typ av resurs",
    "resurstyp",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for g in Genre::ALL {
            assert_eq!(Genre::from_name(g.facts().name), Some(g));
            assert_eq!(Genre::from_name(&g.facts().name.to_uppercase()), Some(g));
        }
        assert_eq!(Genre::from_name("graphic"), Some(Genre::Image));
        assert_eq!(Genre::from_name("motion_picture"), Some(Genre::Video));
        assert_eq!(Genre::from_name("painting"), None);
    }

    #[test]
    fn every_output_name_is_in_its_vocabulary() {
        // DataCite Metadata Schema 4.5 resourceTypeGeneral.
        const DATACITE: &[&str] = &[
            "Audiovisual",
            "Book",
            "BookChapter",
            "Collection",
            "ComputationalNotebook",
            "ConferencePaper",
            "ConferenceProceeding",
            "DataPaper",
            "Dataset",
            "Dissertation",
            "Event",
            "Image",
            "Instrument",
            "InteractiveResource",
            "Journal",
            "JournalArticle",
            "Model",
            "OutputManagementPlan",
            "PeerReview",
            "PhysicalObject",
            "Preprint",
            "Report",
            "Service",
            "Software",
            "Sound",
            "Standard",
            "StudyRegistration",
            "Text",
            "Workflow",
            "Other",
        ];
        // DCMI Type Vocabulary.
        const DCMI: &[&str] = &[
            "Collection",
            "Dataset",
            "Event",
            "Image",
            "InteractiveResource",
            "MovingImage",
            "PhysicalObject",
            "Service",
            "Software",
            "Sound",
            "StillImage",
            "Text",
        ];
        // Entry types of biblatex's default data model (blx-dm.def).
        const BIBLATEX: &[&str] = &[
            "article",
            "artwork",
            "audio",
            "book",
            "dataset",
            "image",
            "letter",
            "misc",
            "music",
            "online",
            "periodical",
            "report",
            "unpublished",
            "video",
        ];
        // RIS reference types (RIS specification, Research Information Systems).
        const RIS: &[&str] = &[
            "ART", "BOOK", "DATA", "DBASE", "ELEC", "GEN", "MANSCPT", "MAP", "MUSIC", "NEWS",
            "PCOMM", "SOUND", "VIDEO",
        ];
        for g in Genre::ALL {
            let f = g.facts();
            assert!(DATACITE.contains(&f.datacite), "{f:?}");
            assert!(DCMI.contains(&f.dcmi), "{f:?}");
            assert!(BIBLATEX.contains(&f.bibtex), "{f:?}");
            assert!(RIS.contains(&f.ris), "{f:?}");
            // Every CSL type is one CSL 1.0.2 (and so the styles) knows.
            let kind: Result<hayagriva::citationberg::taxonomy::Kind, _> = f.csl.parse();
            assert!(kind.is_ok(), "{f:?}");
        }
    }

    /// README's table of kinds, from [`Genre::facts`].
    fn readme_table() -> String {
        Genre::ALL
            .iter()
            .map(|g| {
                let f = g.facts();
                format!(
                    "| {} (`{}`) | `{}` | {} | {} | {} | {} | `@{}` | {} | {}, {} |\n",
                    f.label,
                    f.name,
                    f.csl,
                    f.schema_org,
                    f.datacite,
                    f.zotero,
                    f.ris,
                    f.bibtex,
                    f.dcmi,
                    f.part,
                    f.parts
                )
            })
            .collect()
    }

    #[test]
    fn the_readme_shows_this_table() {
        let readme = include_str!("../../README.md");
        let table = readme_table();
        assert!(
            readme.contains(&table),
            "README's Resource types table is now:\n{table}"
        );
    }

    #[test]
    fn reads_what_catalogues_write() {
        // Values of "Type", "Genre", "Format"… fields in the corpus.
        let cases = [
            ("Manuscript", Some(Genre::Manuscript)),
            (
                "Reconstructed manuscrit (partial reconstruction)",
                Some(Genre::Manuscript),
            ),
            ("Manuscrit dispersé", Some(Genre::Manuscript)),
            (
                "Manuscripts, Medieval England 15th century",
                Some(Genre::Manuscript),
            ),
            (
                "1 manuscript volume, 1075 pages: parchment",
                Some(Genre::Manuscript),
            ),
            ("Handschrift", Some(Genre::Manuscript)),
            ("map", Some(Genre::Map)),
            ("Karte", Some(Genre::Map)),
            ("Manuscript map", Some(Genre::Map)),
            ("Buch", Some(Genre::Book)),
            ("Monograph", Some(Genre::Book)),
            ("Printed book", Some(Genre::Book)),
            ("Historische Drucke", Some(Genre::Book)),
            ("1 compact cassette", Some(Genre::Audio)),
            ("3 tape reels 9 cm 4.75 cm/sec mono", Some(Genre::Audio)),
            ("Sound recording", Some(Genre::Audio)),
            ("Film", Some(Genre::Video)),
            ("Photograph", Some(Genre::Photograph)),
            ("Foto", Some(Genre::Photograph)),
            ("Druckgraphik", Some(Genre::Print)),
            ("Zeitung", Some(Genre::Newspaper)),
            ("Brief", Some(Genre::Letter)),
            ("Noten", Some(Genre::Score)),
            ("Carte postale", Some(Genre::Image)),
            ("Multi-page record", None),
            ("unspecified", None),
            ("1 painting : oil on canvas", None),
            ("text", None),
            ("Mappe", None),
            ("microfilm", None),
        ];
        for (text, genre) in cases {
            assert_eq!(Genre::from_description(text), genre, "{text}");
        }
    }
}
