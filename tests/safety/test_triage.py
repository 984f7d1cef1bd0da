"""Safety triage: what a patient would notice - urgent or not, which category, which rule."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.lexicon import DEFAULT_LEXICON_DIR, LexiconError
from bot.safety.triage import Triage, TriageResult, default_triage, load_triage, triage

# (message, rule that must fire). Every category x every language, with typos and SMS.
EMERGENCIES: list[tuple[str, str]] = [
    # heart attack signs
    ("I have chest pain", "emergency.chest_pain"),
    ("my dad is having crushing pain in his chest", "emergency.chest_pain"),
    ("chest feels very heavy and tight since 20 min", "emergency.chest_pain"),
    ("chest tite cant sit still", "emergency.chest_pain"),
    ("chst pain pls help", "emergency.chest_pain"),
    ("i think its a hart attack", "emergency.chest_pain"),
    ("heart atack symptoms right now", "emergency.chest_pain"),
    ("pressure on my chest and my left arm hurts", "emergency.chest_pain"),
    ("pain going down my left arm and I'm sweating", "emergency.chest_pain"),
    ("jaw pain and cold sweat, feel awful", "emergency.chest_pain"),
    ("what should I do, my mother has chest pain", "emergency.chest_pain"),
    ("no fever but my chest is very tight and I'm sweating", "emergency.chest_pain"),
    ("painnnn in my chesttt", "emergency.chest_pain"),
    ("सीने में दर्द हो रहा है", "emergency.chest_pain"),
    ("पापा को छाती में तेज दर्द है", "emergency.chest_pain"),
    ("सीने में जकड़न और पसीना", "emergency.chest_pain"),
    ("लगता है दिल का दौरा पड़ा है", "emergency.chest_pain"),
    ("seene me dard ho raha hai", "emergency.chest_pain"),
    ("seeney mein bahut dard hai", "emergency.chest_pain"),
    ("chhati me dard aur pasina aa raha", "emergency.chest_pain"),
    ("papa ko heart attack aaya lagta hai", "emergency.chest_pain"),
    ("dil ka daura pada hai shayad", "emergency.chest_pain"),
    ("chest pain ho raha hai bahut", "emergency.chest_pain"),
    # stroke
    ("my mom's face is drooping", "emergency.stroke"),
    ("his smile looks crooked and his speech is slurred", "emergency.stroke"),
    ("sudden numbness on the left side of her body", "emergency.stroke"),
    ("dad cant lift his right arm suddenly", "emergency.stroke"),
    ("I think my wife is having a stroke", "emergency.stroke"),
    ("had a stroke in 2019 and now my face is drooping again", "emergency.stroke"),
    ("grandpa talking weird and one side of face drooping", "emergency.stroke"),
    ("पापा का मुंह टेढ़ा हो गया है", "emergency.stroke"),
    ("दादी का एक तरफ का हाथ सुन्न हो गया", "emergency.stroke"),
    ("मां की जुबान लड़खड़ा रही है", "emergency.stroke"),
    ("लगता है लकवा मार गया", "emergency.stroke"),
    ("papa ka muh tedha ho gaya", "emergency.stroke"),
    ("mummy ka ek taraf ka haath sunn ho gaya", "emergency.stroke"),
    ("dadi ki zuban ladkhada rahi hai", "emergency.stroke"),
    ("lakwa maar gaya lagta hai", "emergency.stroke"),
    ("brain stroke aaya hai unko", "emergency.stroke"),
    # severe bleeding
    ("bleeding won't stop", "emergency.severe_bleeding"),
    ("bleding wont stop from his leg", "emergency.severe_bleeding"),
    ("there is blood everywhere, deep cut on his arm", "emergency.severe_bleeding"),
    ("he is bleeding heavily after the fall", "emergency.severe_bleeding"),
    ("cut my hand with a knife and it keeps bleeding", "emergency.severe_bleeding"),
    ("nose bleeding for an hour and not stopping", "emergency.severe_bleeding"),
    ("खून रुक नहीं रहा", "emergency.severe_bleeding"),
    ("बहुत ज्यादा खून बह रहा है", "emergency.severe_bleeding"),
    ("khoon nahi ruk raha", "emergency.severe_bleeding"),
    ("khun ruk hi nahi raha", "emergency.severe_bleeding"),
    ("bahut khoon beh raha hai pair se", "emergency.severe_bleeding"),
    # breathing
    ("I can't breathe", "emergency.breathing"),
    ("cant breth", "emergency.breathing"),
    ("cnt breathe properly", "emergency.breathing"),
    ("baby is not breathing", "emergency.breathing"),
    ("he stopped breathing", "emergency.breathing"),
    ("her lips are turning blue", "emergency.breathing"),
    ("struggling to breathe and gasping for air", "emergency.breathing"),
    ("asthma attack and inhaler not working", "emergency.breathing"),
    ("सांस नहीं आ रही", "emergency.breathing"),
    ("सांस लेने में बहुत तकलीफ है", "emergency.breathing"),
    ("दम घुट रहा है", "emergency.breathing"),
    ("saans nahi aa rahi", "emergency.breathing"),
    ("sans nhi le pa raha", "emergency.breathing"),
    ("saans lene me bahut dikkat ho rahi hai", "emergency.breathing"),
    ("baby ke hoth neele pad gaye", "emergency.breathing"),
    ("severely short of breath even sitting down", "emergency.breathing"),
    ("saans phool rahi hai bahut", "emergency.breathing"),
    ("I'm so breathless I can't finish a sentence", "emergency.breathlessness"),
    # choking
    ("my son is choking", "emergency.choking"),
    ("something stuck in her throat, she can't cough", "emergency.choking"),
    ("बच्चे के गले में सिक्का फंस गया", "emergency.choking"),
    ("gale me khana atak gaya hai", "emergency.choking"),
    # unconscious
    ("he is unconscious", "emergency.unconscious"),
    ("my father collapsed and is unconcious", "emergency.unconscious"),
    ("she fainted and is not waking up", "emergency.unconscious"),
    ("he is not waking up", "emergency.unconscious"),
    ("grandma passed out and won't respond", "emergency.unconscious"),
    ("nani is unresponsive", "emergency.unconscious"),
    ("बेहोश हो गए हैं", "emergency.unconscious"),
    ("पापा उठ नहीं रहे", "emergency.unconscious"),
    ("behosh ho gaya hai", "emergency.unconscious"),
    ("papa gir pade aur hosh nahi aa raha", "emergency.unconscious"),
    ("mummy uth nahi rahi", "emergency.unconscious"),
    # anaphylaxis
    ("throat is swelling after eating peanuts", "emergency.anaphylaxis"),
    ("her tongue and lips are swollen", "emergency.anaphylaxis"),
    ("bee sting and now his face is swelling up", "emergency.anaphylaxis"),
    ("I think it's anaphylaxis", "emergency.anaphylaxis"),
    ("my throat feels like it is closing", "emergency.anaphylaxis"),
    ("दवा के बाद होंठ और जीभ सूज गए", "emergency.anaphylaxis"),
    ("गला बंद हो रहा है", "emergency.anaphylaxis"),
    ("injection ke baad gala band ho raha hai", "emergency.anaphylaxis"),
    ("hoth aur jeebh sooj gaye hai", "emergency.anaphylaxis"),
    # seizure
    ("my son is having a seizure", "emergency.seizure"),
    ("siezure happening now", "emergency.seizure"),
    ("she is having fits and foaming at the mouth", "emergency.seizure"),
    ("convulsions for 5 minutes", "emergency.seizure"),
    ("बच्चे को मिर्गी का दौरा पड़ा है", "emergency.seizure"),
    ("झटके आ रहे हैं", "emergency.seizure"),
    ("dora pad raha hai", "emergency.seizure"),
    ("beti ko daure pad rahe hain", "emergency.seizure"),
    ("jhatke aa rahe hai aur muh se jhaag", "emergency.seizure"),
    ("history of seizures but he is having one right now", "emergency.seizure"),
    # poisoning
    ("my child swallowed tablets", "emergency.poisoning"),
    ("toddler drank some bleach", "emergency.poisoning"),
    ("he took too many sleeping pills by accident", "emergency.poisoning"),
    ("rat poison eaten by my son", "emergency.poisoning"),
    ("accidental overdose of paracetamol", "emergency.poisoning"),
    ("my 2 year old swallowed a button battery", "emergency.poisoning"),
    ("बच्चे ने दवाई की गोलियां खा लीं", "emergency.poisoning"),
    ("उसने ज़हर खा लिया", "emergency.poisoning"),
    ("bache ne galti se kerosene pi liya", "emergency.poisoning"),
    ("beti ne meri bp ki goliyan kha li", "emergency.poisoning"),
    ("zeher kha liya hai", "emergency.poisoning"),
    # burns
    ("severe burns on his arm and chest", "emergency.severe_burn"),
    ("boiling water fell on my baby", "emergency.severe_burn"),
    ("her clothes caught fire", "emergency.severe_burn"),
    ("burnt his face badly with hot oil", "emergency.severe_burn"),
    ("acid thrown on her face", "emergency.severe_burn"),
    ("आग में बुरी तरह झुलस गया", "emergency.severe_burn"),
    ("बच्चे पर गरम पानी गिर गया", "emergency.severe_burn"),
    ("garam tel gir gaya haath par, chamdi nikal gayi, bura jal gaya", "emergency.severe_burn"),
    ("cylinder phat gaya aur wo jal gaye", "emergency.severe_burn"),
    # pregnancy
    ("I'm pregnant and bleeding", "emergency.pregnancy"),
    ("28 weeks pregnant with heavy bleeding", "emergency.pregnancy"),
    ("baby not moving since morning", "emergency.pregnancy"),
    ("the baby is moving much less than usual, 32 weeks", "emergency.pregnancy"),
    ("my water broke at 30 weeks", "emergency.pregnancy"),
    ("pregnant and severe pain in my stomach", "emergency.pregnancy"),
    ("pregnant, bad headache and blurred vision", "emergency.pregnancy"),
    ("heavy bleeding after delivery last week, soaking pads", "emergency.pregnancy"),
    ("मैं 7 महीने की प्रेग्नेंट हूं और खून आ रहा है", "emergency.pregnancy"),
    ("पेट में बच्चा हिल नहीं रहा", "emergency.pregnancy"),
    ("pregnancy mein bleeding ho rahi hai", "emergency.pregnancy"),
    ("pet me bacha hil nahi raha subah se", "emergency.pregnancy"),
    ("bache ki harkat kam ho gayi hai, 8 mahine", "emergency.pregnancy"),
    ("pani ki thaili fat gayi 7 mahine me", "emergency.pregnancy"),
    # infants
    ("my 3 week old has a fever", "emergency.infant_danger"),
    ("newborn baby has a temperature of 38.5", "emergency.infant_danger"),
    ("baby is floppy and not feeding", "emergency.infant_danger"),
    ("2 month old not feeding since morning", "emergency.infant_danger"),
    ("नवजात शिशु को बुखार है", "emergency.infant_danger"),
    ("बच्चा बहुत सुस्त है और दूध नहीं पी रहा", "emergency.infant_danger"),
    ("10 din ke bache ko bukhar hai", "emergency.infant_danger"),
    ("baby bilkul sust pad gaya hai", "emergency.infant_danger"),
    # meningitis
    ("high fever and stiff neck", "emergency.meningitis_signs"),
    ("fever and a rash that doesn't fade when I press a glass", "emergency.meningitis_signs"),
    ("non blanching rash on my son", "emergency.meningitis_signs"),
    ("बुखार और गर्दन अकड़ गई है", "emergency.meningitis_signs"),
    ("bukhar hai aur gardan akad gayi", "emergency.meningitis_signs"),
    # thunderclap headache
    ("worst headache of my life", "emergency.thunderclap_headache"),
    ("sudden severe headache like being hit with a hammer", "emergency.thunderclap_headache"),
    ("अचानक सिर में बहुत तेज दर्द, सिर फट रहा है", "emergency.thunderclap_headache"),
    ("achanak sir me bahut tez dard", "emergency.thunderclap_headache"),
    ("zindagi ka sabse tez sir dard", "emergency.thunderclap_headache"),
    # head injury
    ("fell and hit his head, now vomiting", "emergency.head_injury"),
    ("head injury and she is confused", "emergency.head_injury"),
    ("knocked his head and now very drowsy", "emergency.head_injury"),
    ("सिर में चोट लगी और उल्टी हो रही है", "emergency.head_injury"),
    ("sir pe chot lagi hai aur ulti ho rahi", "emergency.head_injury"),
    # vomiting / coughing blood, black stools
    ("vomiting blood", "emergency.vomiting_blood"),
    ("coughing up blood since morning", "emergency.vomiting_blood"),
    ("black tarry stools and dizzy", "emergency.vomiting_blood"),
    ("खून की उल्टी हो रही है", "emergency.vomiting_blood"),
    ("khoon ki ulti ho rahi hai", "emergency.vomiting_blood"),
    ("khansi me khoon aa raha hai", "emergency.vomiting_blood"),
    ("potty kali aa rahi hai", "emergency.vomiting_blood"),
    # bites and stings
    ("a snake bit my father", "emergency.bite_sting"),
    ("snake bite on leg", "emergency.bite_sting"),
    ("stung by a scorpion", "emergency.bite_sting"),
    ("dog bit him badly on the face", "emergency.bite_sting"),
    ("सांप ने काट लिया", "emergency.bite_sting"),
    ("बिच्छू ने डंक मार दिया", "emergency.bite_sting"),
    ("saanp ne kaat liya", "emergency.bite_sting"),
    ("bichhu ne kaata hai bache ko", "emergency.bite_sting"),
    # electric shock, drowning
    ("he got an electric shock from a live wire", "emergency.electric_shock"),
    ("my son was electrocuted", "emergency.electric_shock"),
    ("करंट लग गया", "emergency.electric_shock"),
    ("current lag gaya bhai ko", "emergency.electric_shock"),
    ("child nearly drowned in the pool", "emergency.drowning"),
    ("pulled him out of the river, not breathing", "emergency.drowning"),
    ("बच्चा पानी में डूब गया", "emergency.drowning"),
    ("beta talab me doob gaya", "emergency.drowning"),
    # dehydration, fever + confusion
    (
        "my son has had diarrhoea, no urine since morning and very sleepy",
        "emergency.child_dehydration",
    ),
    ("baby has not peed all day", "emergency.child_dehydration"),
    ("बच्चे को दस्त है, सुस्त है, आंखें धंस गई", "emergency.child_dehydration"),
    ("bache ko dast hai aur peshab band hai", "emergency.child_dehydration"),
    ("very high fever and she is confused", "emergency.high_fever_confusion"),
    ("बुखार में बहकी बहकी बातें कर रहे हैं", "emergency.high_fever_confusion"),
    ("bukhar me papa kisi ko pehchan nahi rahe", "emergency.high_fever_confusion"),
    # other ambulance-now situations
    ("suddenly I can't see out of my left eye", "emergency.sudden_vision_loss"),
    ("achanak aankh se dikhna band ho gaya", "emergency.sudden_vision_loss"),
    ("severe stomach pain and belly is hard as a board", "emergency.acute_abdomen"),
    ("pet me bahut dard hai aur pet patthar jaisa ho gaya", "emergency.acute_abdomen"),
    ("I think he has heat stroke", "emergency.heat_stroke"),
    ("working in the sun all day and now he's confused", "emergency.heat_stroke"),
    ("papa ko loo lag gayi", "emergency.heat_stroke"),
    ("diabetic father is confused and sweating, sugar is 40", "emergency.hypoglycaemia"),
    ("sugar bahut low ho gaya aur behosh hai", "emergency.hypoglycaemia"),
    ("road accident, he is bleeding a lot", "emergency.major_trauma"),
    ("fell from the roof", "emergency.major_trauma"),
    ("chhat se gir gaya", "emergency.major_trauma"),
    ("दुर्घटना हो गई है जल्दी आओ", "emergency.major_trauma"),
    ("please send an ambulance", "emergency.explicit_emergency"),
    ("ambulance bhejo jaldi", "emergency.explicit_emergency"),
    ("एम्बुलेंस भेजो", "emergency.explicit_emergency"),
    ("my grandfather is dying please help", "emergency.explicit_emergency"),
    # more phrasings: word order, metaphors, third person, mixed and resumed history
    ("there's an elephant sitting on my chest", "emergency.chest_pain"),
    ("he clutched his chest and fell", "emergency.chest_pain"),
    ("tightness in chest radiating to back", "emergency.chest_pain"),
    ("chestpain", "emergency.chest_pain"),
    ("my dad just had a heart attack", "emergency.chest_pain"),
    ("heart me pain ho raha hai", "emergency.chest_pain"),
    ("seene mai bahut jor ka dard", "emergency.chest_pain"),
    ("सीने मे तेज दर्द", "emergency.chest_pain"),
    ("pehle bhi hua tha par abhi phir se seene me dard ho raha hai", "emergency.chest_pain"),
    ("what are the symptoms of heart attack? my father has chest pain", "emergency.chest_pain"),
    ("hes turning purple", "emergency.breathing"),
    ("his breathing is very weird and slow", "emergency.breathing"),
    ("baby grunting and breathing fast", "emergency.breathing"),
    ("i dont know what to do my baby is not breathing", "emergency.breathing"),
    ("saas nai aa rai", "emergency.breathing"),
    ("साँस फूल रही है", "emergency.breathing"),
    ("bukhar nahi hai lekin saans nahi aa rahi", "emergency.breathing"),
    ("बुखार नहीं है पर सांस नहीं आ रही", "emergency.breathing"),
    ("blood wont stop coming out", "emergency.severe_bleeding"),
    ("kutte ne bahut bura kata hai khoon nahi ruk raha", "emergency.severe_bleeding"),
    ("found my grandmother on the floor not responding", "emergency.unconscious"),
    ("she blacked out and hasn't come round", "emergency.unconscious"),
    ("no one is home and my mother collapsed", "emergency.unconscious"),
    ("beta bol nahi raha aur aankh nahi khol raha", "emergency.unconscious"),
    ("appointment cancel karna hai aur papa behosh ho gaye hain", "emergency.unconscious"),
    ("lips swelling after eating shrimp", "emergency.anaphylaxis"),
    ("epipen needed", "emergency.anaphylaxis"),
    ("shes choking on a grape", "emergency.choking"),
    ("she's been seizing for 5 minutes", "emergency.seizure"),
    ("uncontrollable shaking and eyes rolled back", "emergency.seizure"),
    ("पिछले साल दौरा पड़ा था, अभी फिर से पड़ रहा है", "emergency.seizure"),
    ("son ate a few of the iron pills", "emergency.poisoning"),
    ("she swallowed her grandmother's heart pills", "emergency.poisoning"),
    ("my child drank something from the bottle under the sink", "emergency.poisoning"),
    ("accidentally took double dose of insulin", "emergency.poisoning"),
    ("my daughter spilled boiling water on herself", "emergency.severe_burn"),
    ("his shirt caught fire", "emergency.severe_burn"),
    ("im 35 weeks and havent felt the baby kick today", "emergency.pregnancy"),
    ("garbhvati hu aur pet me bahut tez dard", "emergency.pregnancy"),
    ("पेट में बच्चे की हलचल बंद हो गई", "emergency.pregnancy"),
    ("5 day old baby fever 38", "emergency.infant_danger"),
    ("naye bache ko bukhar hai 15 din ka hai", "emergency.infant_danger"),
    ("purple rash on legs and fever", "emergency.meningitis_signs"),
    ("sudden explosive headache", "emergency.thunderclap_headache"),
    ("सिर में अचानक बहुत तेज दर्द", "emergency.thunderclap_headache"),
    ("hit his head on the floor and now hes sleepy and vomiting", "emergency.head_injury"),
    ("puking blood", "emergency.vomiting_blood"),
    ("stool is black like tar", "emergency.vomiting_blood"),
    ("cobra bite", "emergency.bite_sting"),
    ("kid fell in the swimming pool and was under water", "emergency.drowning"),
    ("cant see suddenly", "emergency.sudden_vision_loss"),
    ("suddenly can't move my leg and arm on the left side", "emergency.stroke"),
    ("pichle saal stroke hua tha, aaj phir muh tedha ho gaya", "emergency.stroke"),
    ("stroke ke lakshan kya hain, papa ka muh tedha ho gaya", "emergency.stroke"),
    ("dimag ki nas phat gayi lagta hai", "emergency.stroke"),
    ("माँ को लकवा मार गया", "emergency.stroke"),
    ("बोलने में दिक्कत और हाथ में कमजोरी", "emergency.stroke"),
    ("i just took 30 paracetamol", "emergency.poisoning"),
    ("मेरे पिता अचेत हो गए हैं", "emergency.unconscious"),
    ("दम फूल रहा है", "emergency.breathing"),
    ("नवजात शिशु दूध नहीं पी रहा और सुस्त है", "emergency.infant_danger"),
    ("nawjat bacha doodh nahi pi raha", "emergency.infant_danger"),
    ("सर्पदंश हुआ है", "emergency.bite_sting"),
    ("मधुमक्खी के काटने के बाद चेहरा सूज गया", "emergency.anaphylaxis"),
    ("tez bukhar aur gardan me akdan", "emergency.meningitis_signs"),
    ("बच्चे को तेज बुखार और झटके", "emergency.seizure"),
    ("my grandmother fell in the bathroom, she's not answering me", "emergency.unconscious"),
    ("my heart hurts really bad and my left arm is numb", "emergency.chest_pain"),
    ("बच्चे ने बटन वाली बैटरी निगल ली", "emergency.poisoning"),
    # past cause with a present danger sign; indirect crisis wording; hypotheticals
    (
        "fell off the bike yesterday and hit his head, now he keeps throwing up",
        "emergency.head_injury",
    ),
    ("कल गिरने से सिर में चोट लगी थी, अब बार बार उल्टी", "emergency.head_injury"),
    ("माँ का एक तरफ का पैर अचानक काम नहीं कर रहा", "emergency.stroke"),
    ("अचानक बहुत तेज सिरदर्द हुआ, ऐसा पहले कभी नहीं", "emergency.thunderclap_headache"),
    ("achanak bahut tez sir dard shuru hua hai", "emergency.thunderclap_headache"),
]

CRISES: list[tuple[str, str]] = [
    ("I want to die", "crisis.suicidal_thoughts"),
    ("i just want to end my life", "crisis.suicidal_thoughts"),
    ("I'm going to kill myself", "crisis.suicidal_thoughts"),
    ("there is no reason to live anymore", "crisis.suicidal_thoughts"),
    ("everyone would be better off without me", "crisis.suicidal_thoughts"),
    ("I'd be better off dead", "crisis.suicidal_thoughts"),
    ("thinking about sucide", "crisis.suicidal_thoughts"),
    ("i dont want to live anymore", "crisis.suicidal_thoughts"),
    ("feel like ending it all tonight", "crisis.suicidal_thoughts"),
    ("my son says he wants to kill himself", "crisis.suicidal_thoughts"),
    ("life is not worth living", "crisis.suicidal_thoughts"),
    ("मैं मरना चाहता हूं", "crisis.suicidal_thoughts"),
    ("मुझे जीना नहीं है, खुद को खत्म कर लूंगी", "crisis.suicidal_thoughts"),
    ("आत्महत्या करने का मन कर रहा है", "crisis.suicidal_thoughts"),
    ("अब जीने की कोई इच्छा नहीं रही", "crisis.suicidal_thoughts"),
    ("mar jana chahta hu", "crisis.suicidal_thoughts"),
    ("main marna chahti hoon", "crisis.suicidal_thoughts"),
    ("khud ko khatam karna hai", "crisis.suicidal_thoughts"),
    ("jeena nahi chahta ab", "crisis.suicidal_thoughts"),
    ("apni jaan le lunga", "crisis.suicidal_thoughts"),
    ("suicide karne ka man hai", "crisis.suicidal_thoughts"),
    ("I have been cutting myself", "crisis.self_harm"),
    ("I want to hurt myself", "crisis.self_harm"),
    ("she burns herself with cigarettes", "crisis.self_harm"),
    ("self harm again last night", "crisis.self_harm"),
    ("खुद को चोट पहुंचाना चाहती हूं", "crisis.self_harm"),
    ("blade se haath kaat rahi hoon", "crisis.self_harm"),
    ("khud ko hurt kar raha hu", "crisis.self_harm"),
    ("took all my pills to end it", "crisis.suicide_attempt"),
    ("I swallowed a whole bottle of pills so I can die", "crisis.suicide_attempt"),
    ("he tried to hang himself", "crisis.suicide_attempt"),
    ("she slit her wrists", "crisis.suicide_attempt"),
    ("मरने के लिए सारी गोलियां खा लीं", "crisis.suicide_attempt"),
    ("usne fanda laga liya", "crisis.suicide_attempt"),
    ("marne ke liye goliyan kha li", "crisis.suicide_attempt"),
    ("I don't see the point of living anymore", "crisis.suicidal_thoughts"),
    ("nobody would care if i died", "crisis.suicidal_thoughts"),
    ("i wish i could go to sleep and never wake up", "crisis.suicidal_thoughts"),
    ("i cant go on like this anymore", "crisis.suicidal_thoughts"),
    ("mujhe nahi jeena", "crisis.suicidal_thoughts"),
    ("मुझे अब नहीं जीना", "crisis.suicidal_thoughts"),
    ("sab khatam kar dunga", "crisis.suicidal_thoughts"),
    ("mai mar jaunga", "crisis.suicidal_thoughts"),
    ("maine apni nas kaat li", "crisis.self_harm"),
    ("मैंने नींद की सारी गोलियां खा ली हैं मरने के लिए", "crisis.suicide_attempt"),
    ("i have pills ready and i'm going to take them all tonight", "crisis.suicidal_thoughts"),
    ("I want it all to end", "crisis.suicidal_thoughts"),
    ("I'm a burden to everyone", "crisis.suicidal_thoughts"),
    ("I have nothing to live for", "crisis.suicidal_thoughts"),
    ("I should just die", "crisis.suicidal_thoughts"),
    ("I took all my antidepressants", "crisis.suicide_attempt"),
    ("I overdosed because I want to die", "crisis.suicide_attempt"),
    ("मैं सबके लिए बोझ हूं", "crisis.suicidal_thoughts"),
    ("काश मैं पैदा ही नहीं होता", "crisis.suicidal_thoughts"),
    ("ट्रेन के आगे कूद जाऊंगा", "crisis.suicidal_thoughts"),
    ("मैंने ज़हर खा लिया", "crisis.suicide_attempt"),
    ("duniya chhodna chahta hu", "crisis.suicidal_thoughts"),
    ("ab aur jeene ki himmat nahi", "crisis.suicidal_thoughts"),
    ("maine zeher kha liya hai", "crisis.suicide_attempt"),
    ("neend ki goliyan kha lunga", "crisis.suicidal_thoughts"),
    # past cause with a present danger sign; indirect crisis wording; hypotheticals
    ("what is a lethal dose of my sleeping tablets", "crisis.suicidal_thoughts"),
    ("my family would honestly be happier without me", "crisis.suicidal_thoughts"),
    ("घरवाले मेरे बिना ज़्यादा खुश रहेंगे", "crisis.suicidal_thoughts"),
    ("subah jagna hi nahi chahti", "crisis.suicidal_thoughts"),
    ("jaan dene ka khayal aa raha hai", "crisis.suicidal_thoughts"),
    ("i cut my thighs whenever i feel numb", "crisis.self_harm"),
    ("razor se haath pe cut lagati hu", "crisis.self_harm"),
    ("deliberately swallowed twenty of my mother's tablets", "crisis.suicide_attempt"),
    ("मरने के लिए चूहे मारने की दवा पी ली", "crisis.suicide_attempt"),
]

NOT_URGENT: list[str] = [
    # negation, all three languages
    "no chest pain, just a cold",
    "I don't have chest pain",
    "no fever or chest pain, need a sick note",
    "I do not have any breathing problem",
    "not bleeding anymore, just need a dressing change",
    "he's not unconscious, just sleepy after the flu",
    "I'm not suicidal, I just need a therapist",
    "I don't want to die, I want to get better",
    "chest pain nahi hai bas khansi",
    "seene me dard nahi hai",
    "saans lene me koi dikkat nahi hai",
    "bukhar nahi hai, bas zukam hai",
    "khoon nahi aa raha ab",
    "सीने में दर्द नहीं है",
    "सांस लेने में कोई तकलीफ नहीं है",
    "बुखार नहीं है बस खांसी है",
    # past history / paperwork
    "had a stroke in 2019, need my follow-up",
    "my father had a heart attack last year, need his reports",
    "history of seizures, need refill of my epilepsy medicine",
    "I had a seizure as a child",
    "she had heart attack 3 years ago, want cardiology appointment",
    "mujhe 2018 me stroke hua tha, checkup karwana hai",
    "papa ko pichle saal heart attack aaya tha, report chahiye",
    "पिछले साल पापा को हार्ट अटैक आया था, रिपोर्ट चाहिए",
    "दो साल पहले मिर्गी का दौरा पड़ा था",
    # informational questions
    "what are the signs of a stroke?",
    "how do I know if someone is having a heart attack",
    "what are the symptoms of a heart attack in women",
    "what to do if someone is choking",
    "what causes seizures",
    "stroke ke lakshan kya hain",
    "heart attack kya hota hai",
    "mirgi ke daure aaye to kya kare",
    "स्ट्रोक के लक्षण क्या हैं",
    "हार्ट अटैक के लक्षण क्या होते हैं",
    # idioms
    "this queue is killing me",
    "I'm dying to see the doctor",
    "my heart is breaking watching the news",
    "dying of boredom in the waiting room",
    "the price is a heart attack",
    "this bill almost gave me a heart attack",
    "I'm drowning in paperwork",
    "stroke of luck that I found a parking spot",
    "bhook se mar raha hu, canteen kab khulegi",
    "the stroke ward visiting hours please",
    "passed out of college in 2015, need a fitness certificate",
    # mild or minor
    "bleeding gums when I brush",
    "mild headache",
    "cut my finger a little",
    "small burn on my hand from the iron",
    "my nose bled a bit this morning",
    "slightly short of breath when climbing stairs",
    "thoda sa sir dard hai",
    "halka sa jal gaya haath",
    "minor accident, just a scratch",
    "dog bite yesterday, need rabies vaccine schedule",
    "food poisoning since yesterday, loose motions",
    "heavy bleeding during my periods, need gynae appointment",
    "I hurt myself playing football, knee swollen",
    # ordinary messages
    "book appointment",
    "visiting hours?",
    "मुझे अपॉइंटमेंट चाहिए",
    "kal doctor sahab kitne baje aayenge",
    "what time does the pharmacy close",
    "need a blood test report",
    "my blood pressure is 130/85, is that ok?",
    "can I get a refill of my asthma inhaler",
    "thank you so much doctor",
    "how much does a heart checkup cost",
    "is the emergency ward open on sunday",
    "where is the cardiology department",
    "I need to see a doctor soon",
    "my son's appointment is on friday",
    "doctor se baat karni hai",
    "दवाई खत्म हो गई है",
    "report kab milegi",
    "my phone is dying, call me later",
    "bus strike today, will come tomorrow",
    "can i bring my baby to the visit",
    "pregnancy test positive, want to book first scan",
    # more: resolved, negated lists, questions, idioms, everyday trouble
    "I had chest pain yesterday but it's gone now",
    "chest pain nahi hai, sirf acidity hai",
    "no, I am not having chest pain",
    "i dont have a fever or stiff neck",
    "he hit his head but is fine, no vomiting, talking normally",
    "pregnant, no bleeding, just mild cramps",
    "my baby is moving a lot today",
    "bacha theek se doodh pee raha hai",
    "सीने में कोई दर्द नहीं",
    "सांस ठीक आ रही है",
    "do saal pehle lakwa hua tha",
    "pichle mahine daura pada tha, dawai chahiye",
    "पिछले साल स्ट्रोक हुआ था",
    "स्ट्रोक के बाद फिजियोथेरेपी चाहिए",
    "stroke ke kya lakshan hote hain",
    "दिल का दौरा क्यों पड़ता है",
    "heart attack ke baad kya khana chahiye",
    "can anxiety cause shortness of breath",
    "what's the difference between heart attack and cardiac arrest",
    "I watched a movie about a heart attack",
    "I saw an accident on the way, will be late",
    "my car had an accident, I am fine, need to reschedule",
    "my mom nearly had a heart attack when she saw the price",
    "i nearly choked on my tea laughing",
    "why is the line so long, i'm dying",
    "he has a fit body",
    "hasi se mar gaya yaar",
    "my arm is weak after the covid vaccine",
    "i can't lift my arm above my head, frozen shoulder",
    "I get out of breath climbing stairs since months",
    "i burnt my tongue on hot coffee",
    "my finger is bleeding a little from a paper cut",
    "my chest feels congested with cold",
    "do you have an ambulance service",
    "ambulance ka number kya hai",
    "seizure medicine refill please",
    "had heart attack in 2015, need cardiac checkup",
    "dog bite last week, second rabies shot due",
    "bee sting, little swelling on hand",
    "i have hives on my arm",
    "my leg is numb after sitting cross legged",
    "kamar me dard hai",
    "मुझे जुकाम है",
    "खून की जांच की रिपोर्ट आ गई क्या",
    "i dont think i need an ambulance, just a doctor visit",
    "we lost my grandmother to a stroke last year",
    "my toddler bumped his head, he's running around and laughing",
    "i have a burning sensation when i pee",
    "i am feeling low and lonely, can i talk to a counsellor",
    "मुझे हल्का बुखार है",
    "pet me halka dard hai",
    "chota bacha hai, bukhar 100 hai, kaunsi dawai du",
    # past cause with a present danger sign; indirect crisis wording; hypotheticals
    "agar kisi ko lakwa ho jaye to kya karna chahiye, bas jaankari ke liye",
    "मिर्गी और बेहोशी में क्या फर्क है?",
    "mere bina bhi report mil jayegi kya",
    "how many paracetamol can I take in a day",
]


@pytest.mark.parametrize(("text", "rule"), EMERGENCIES)
def test_emergencies_fire_their_rule(text: str, rule: str) -> None:
    result = triage(text)
    assert result.category in ("emergency", "crisis"), result
    assert rule in result.rules, result


@pytest.mark.parametrize(("text", "rule"), CRISES)
def test_crises_fire_their_rule(text: str, rule: str) -> None:
    result = triage(text)
    assert result.category == "crisis", result
    assert rule in result.rules, result


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_urgent_messages_stay_quiet(text: str) -> None:
    result = triage(text)
    assert not result.is_urgent, result
    assert result.rules == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no chest pain", "emergency.chest_pain:negated"),
        ("had a stroke in 2019", "emergency.stroke:history"),
        ("what are the signs of a stroke?", "emergency.stroke:question"),
        ("minor burn on his face", "emergency.severe_burn:unless"),
        ("this queue is killing me", "idiom:killing_figurative"),
    ],
)
def test_suppression_is_explained(text: str, reason: str) -> None:
    assert reason in triage(text).suppressed


def test_crisis_outranks_emergency() -> None:
    result = triage("I took all my pills to end it and now I can't breathe")
    assert result.category == "crisis"
    assert "crisis.suicide_attempt" in result.rules
    assert "emergency.breathing" in result.rules


@pytest.mark.parametrize(
    ("text", "language"),
    [("I can't breathe", "en"), ("सांस नहीं आ रही", "hi"), ("saans nahi aa rahi", "hinglish")],
)
def test_result_carries_language(text: str, language: str) -> None:
    assert triage(text).language == language


def test_result_is_deterministic_and_typed() -> None:
    first = triage("chest pain and sweating")
    assert first == triage("chest pain and sweating")
    assert isinstance(first, TriageResult)
    assert first.is_urgent
    assert not triage("hello").is_urgent


@pytest.mark.parametrize("text", ["", "   ", "!!!", "😀", "a" * 5000, "नमस्ते"])
def test_odd_input_is_not_urgent_and_does_not_crash(text: str) -> None:
    assert triage(text).category is None


@pytest.fixture
def lexicon_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEFAULT_LEXICON_DIR, tmp_path / "triage"))


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("emergency.yaml", "id: emergency.stroke", "id: stroke", "rule stroke"),
        (
            "emergency.yaml",
            "- '{chest} {longgap}{pain}'",
            "- '{chest} {gap}{pian}'",
            "unknown term",
        ),
        (
            "emergency.yaml",
            "- '{chest} {longgap}{pain}'",
            "- '(chest pain'",
            "emergency.chest_pain",
        ),
        ("crisis.yaml", "category: crisis", "category: urgent", "crisis.suicidal_thoughts"),
        ("negation.yaml", "before_window: 4", "before_window: many", "before_window"),
        ("idioms.yaml", "dying_figurative:", "dying_figurative: 3\n  x:", "idiom dying_figurative"),
    ],
)
def test_bad_lexicon_fails_loudly_naming_file_and_entry(
    lexicon_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    path = lexicon_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LexiconError, match=re.escape(message)) as error:
        load_triage(lexicon_copy)
    assert file in str(error.value)


def test_missing_lexicon_file_fails_loudly(lexicon_copy: Path) -> None:
    (lexicon_copy / "negation.yaml").unlink()
    with pytest.raises(LexiconError, match=r"negation\.yaml"):
        load_triage(lexicon_copy)


def test_a_hospital_can_add_a_rule_without_python(lexicon_copy: Path) -> None:
    path = lexicon_copy / "emergency.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n  - id: emergency.local_custom\n    category: emergency\n"
        + "    description: Local addition\n    patterns:\n      en: ['purple elephant']\n",
        encoding="utf-8",
    )
    assert load_triage(lexicon_copy).triage("a purple elephant").rules == (
        "emergency.local_custom",
    )


ALL_TEXTS = [text for text, _ in EMERGENCIES + CRISES] + NOT_URGENT
VOCABULARY = sorted({word for text in ALL_TEXTS for word in text.split()})


@pytest.fixture(scope="module")
def brute_force() -> Triage:
    """A triage that tries every pattern on every message (no prefilter)."""
    engine = load_triage()
    everything = {id(p) for r in engine.lexicon.rules for q in r.patterns for p in q.parts}
    everything |= {id(idiom) for _, idiom in engine.lexicon.idioms}
    for prefilter in (engine._parts, engine._idioms):
        prefilter.candidates = lambda text: set(everything)  # type: ignore[method-assign]
    return engine


def test_prefilter_never_changes_a_decision(brute_force: Triage) -> None:
    fast = default_triage()
    for text in ALL_TEXTS:
        assert fast.triage(text) == brute_force.triage(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14).map(" ".join))
def test_random_messages_decide_like_brute_force(brute_force: Triage, text: str) -> None:
    assert default_triage().triage(text) == brute_force.triage(text)
