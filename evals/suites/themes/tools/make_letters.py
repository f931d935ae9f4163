"""Generate the 36 synthetic UCRA letters + labels.jsonl + letters.jsonl from bank.py."""
import json, random, sys, os, datetime
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bank

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIG = {
 "A": ("Sarah Whitfield", "Divisional Manager, Social Care Safeguarding"),
 "B": ("Robert Mackintosh", "Divisional Manager, Children's Social Care"),
 "C": ("Anne Oldroyd", "Her Majesty's Inspector"),
 "D": ("Peter Garland", "Regional Director"),
 "E": ("Linda Pritchard", "Senior Inspector, Social Care Safeguarding"),
}
OFFICE = {
 "L": ("Aviation House 125 Kingsway London WC2B 6SE T 08456 40 40 40 enquiries@ofsted.gov.uk www.ofsted.gov.uk Direct T 020 7421 6744", "Direct F 020 7421 6546"),
 "S": ("Freshford House Redcliffe Way Bristol BS1 6NL T 08456 40 40 40 enquiries@ofsted.gov.uk www.ofsted.gov.uk Direct T 0117 9456333", "Direct F 0117 9456554"),
 "N": ("Royal Exchange Buildings St Ann's Square Manchester M2 7LA T 08456 40 40 40 enquiries@ofsted.gov.uk www.ofsted.gov.uk Direct T 0161 6182345", "Direct F 0161 6188514"),
 "M": ("Cannon House 18 The Priory Queensway Birmingham B4 6BS T 08456 40 40 40 enquiries@ofsted.gov.uk www.ofsted.gov.uk Direct T 0121 6791042", "Direct F 0121 6791050"),
}
# source, authority, short, office, (title, first, last), role, address, inspection dates, inspection month, letter date, signatory key, n_priority, chief exec, lscb chair, cllr (name, portfolio)
L = [
 ("leeds-2009.txt","Leeds City Council","Leeds","N",("Mrs","Rosemary","Archer"),"Director of Children's Services","Merrion House, 110 Merrion Centre, Leeds LS2 8DT","14 and 15 July 2009","2009-07","2009-08-11","B",1,"Paul Rogerson","Professor Ian Hinchliffe","Cllr Stewart Golton","Executive Member for Children's Services"),
 ("leeds-2011.txt","Leeds City Council","Leeds","N",("Mr","Graham","Pilling"),"Director of Children's Services","Merrion House, 110 Merrion Centre, Leeds LS2 8DT","8 and 9 February 2011","2011-02","2011-03-04","D",0,"Tom Riordan","Professor Ian Hinchliffe","Cllr Judith Blake","Executive Member for Children's Services"),
 ("camden-2010.txt","London Borough of Camden","Camden","L",("Ms","Heather","Lindqvist"),"Director of Children, Schools and Families","Crowndale Centre, 218 Eversholt Street, London NW1 1BD","23 and 24 March 2010","2010-03","2010-04-20","A",2,"Moira Gibb","Jane Wonnacott","Cllr Andrew Mennear","Executive Member for Children"),
 ("camden-2012.txt","London Borough of Camden","Camden","L",("Ms","Heather","Lindqvist"),"Director of Children, Schools and Families","Crowndale Centre, 218 Eversholt Street, London NW1 1BD","17 January 2012","2012-01","2012-02-10","E",0,"Mike Cooke","Jane Wonnacott","Cllr Angela Mason","Cabinet Member for Children"),
 ("norfolk-2009.txt","Norfolk County Council","Norfolk","S",("Ms","Lorraine","Kettering"),"Director of Children's Services","County Hall, Martineau Lane, Norwich NR1 2DH","10 and 11 November 2009","2009-11","2009-12-08","C",1,"David White","Colin Hume","Cllr Alison Thomas","Cabinet Member for Children's Services"),
 ("norfolk-2010.txt","Norfolk County Council","Norfolk","S",("Mr","Desmond","Halloran"),"Interim Director of Children's Services","County Hall, Martineau Lane, Norwich NR1 2DH","12 and 13 October 2010","2010-10","2010-11-05","C",1,"David White","Colin Hume","Cllr Alison Thomas","Cabinet Member for Children's Services"),
 ("nottinghamshire-2010.txt","Nottinghamshire County Council","Nottinghamshire","M",("Mr","Martin","Ashdown"),"Corporate Director, Children, Families and Cultural Services","County Hall, West Bridgford, Nottingham NG2 7QP","2 and 3 June 2010","2010-06","2010-06-29","D",2,"Mick Burrows","Chris Few","Cllr Philip Owen","Cabinet Member for Children and Young People's Services"),
 ("nottinghamshire-2011.txt","Nottinghamshire County Council","Nottinghamshire","M",("Ms","Anthea","Marchbank"),"Corporate Director, Children, Families and Cultural Services","County Hall, West Bridgford, Nottingham NG2 7QP","18 and 19 May 2011","2011-05","2011-06-14","A",1,"Mick Burrows","Chris Few","Cllr Philip Owen","Cabinet Member for Children and Young People's Services"),
 ("blackburn-with-darwen-2009.txt","Blackburn with Darwen Borough Council","Blackburn with Darwen","N",("Mr","Stephen","Ormerod"),"Director of Children's Services","Town Hall, King William Street, Blackburn BB1 7DY","22 and 23 September 2009","2009-09","2009-10-20","E",2,"Graham Burgess","David Peplow","Cllr Dave Harling","Executive Member for Children's Services"),
 ("blackburn-with-darwen-2011.txt","Blackburn with Darwen Borough Council","Blackburn with Darwen","N",("Mr","Stephen","Ormerod"),"Director of Children's Services","Town Hall, King William Street, Blackburn BB1 7DY","6 and 7 September 2011","2011-09","2011-10-03","B",0,"Harry Catherall","David Peplow","Cllr Maureen Bateson","Executive Member for Children's Services"),
 ("hertfordshire-2011.txt","Hertfordshire County Council","Hertfordshire","L",("Mr","Jonathan","Trevelyan"),"Director of Children, Schools and Families","County Hall, Pegs Lane, Hertford SG13 8DF","15 and 16 March 2011","2011-03","2011-04-12","E",0,"Caroline Tapster","Fran Pearson","Cllr Richard Thake","Executive Member for Children's Services"),
 ("hertfordshire-2012.txt","Hertfordshire County Council","Hertfordshire","L",("Mr","Jonathan","Trevelyan"),"Director of Children's Services","County Hall, Pegs Lane, Hertford SG13 8DF","21 and 22 February 2012","2012-02","2012-03-20","C",1,"Caroline Tapster","Fran Pearson","Cllr Richard Thake","Executive Member for Children's Services"),
 ("birmingham-2010.txt","Birmingham City Council","Birmingham","M",("Mr","Anthony","Delacroix"),"Strategic Director for Children, Young People and Families","Council House, Victoria Square, Birmingham B1 1BB","9 and 10 February 2010","2010-02","2010-03-09","D",2,"Stephen Hughes","Jane Held","Cllr Les Lawrence","Cabinet Member for Children, Young People and Families"),
 ("lancashire-2011.txt","Lancashire County Council","Lancashire","N",("Mrs","Philippa","Tindall"),"Executive Director for Children and Young People","County Hall, Fishergate, Preston PR1 8XJ","12 and 13 July 2011","2011-07","2011-08-09","B",1,"Phil Halsall","Joanna Hoyle","Cllr Susie Charles","Cabinet Member for Children and Schools"),
 ("east-sussex-2009.txt","East Sussex County Council","East Sussex","S",("Mr","Nicholas","Fairweather"),"Director of Children's Services","County Hall, St Anne's Crescent, Lewes BN7 1UE","4 and 5 August 2009","2009-08","2009-09-01","A",0,"Cheryl Miller","Chris Robson","Cllr Keith Glazier","Lead Member for Children's Services"),
 ("buckinghamshire-2012.txt","Buckinghamshire County Council","Buckinghamshire","S",("Mrs","Caroline","Blakemore"),"Strategic Director, Children and Young People","County Hall, Walton Street, Aylesbury HP20 1UA","13 and 14 March 2012","2012-03","2012-04-10","D",1,"Chris Williams","Fran Gosling-Thomas","Cllr Marion Clayton","Cabinet Member for Children's Services"),
 ("tower-hamlets-2010.txt","London Borough of Tower Hamlets","Tower Hamlets","L",("Ms","Isobel","Farrant"),"Corporate Director, Children, Schools and Families","Town Hall, Mulberry Place, 5 Clove Crescent, London E14 2BG","7 and 8 September 2010","2010-09","2010-10-05","A",1,"Kevan Collins","Sarah Baker","Cllr Oliur Rahman","Lead Member for Children's Services"),
 ("leicestershire-2009.txt","Leicestershire County Council","Leicestershire","M",("Mr","Gareth","Pennington"),"Director of Children and Young People's Service","County Hall, Glenfield, Leicester LE3 8RF","1 and 2 December 2009","2009-12","2009-12-22","C",0,"John Sinnott","Paul Burnett","Cllr Ivan Ould","Cabinet Lead Member for Children and Young People"),
 ("northamptonshire-2011.txt","Northamptonshire County Council","Northamptonshire","M",("Mrs","Deborah","Quennell"),"Director of Children's Services","John Dryden House, 8-10 The Lakes, Northampton NN4 7YD","11 October 2011","2011-10","2011-11-08","E",2,"Paul Blantern","Keith Makin","Cllr Catherine Boardman","Cabinet Member for Children's Services"),
 ("sheffield-2012.txt","Sheffield City Council","Sheffield","N",("Ms","Rebecca","Hartigan"),"Executive Director, Children, Young People and Families","Moorfoot Building, Sheffield S1 4PL","24 and 25 January 2012","2012-01","2012-02-21","B",0,"John Mothersole","Sue Fiennes","Cllr Jackie Drayton","Cabinet Member for Children, Young People and Families"),
 ("cornwall-2010.txt","Cornwall Council","Cornwall","S",("Mr","Trevor","Penhallow"),"Corporate Director, Children, Schools and Families","New County Hall, Treyew Road, Truro TR1 3AY","16 and 17 November 2010","2010-11","2010-12-14","C",1,"Kevin Lavery","Ian Gilbert","Cllr Neil Burden","Cabinet Member for Children's Services"),
 ("derby-2011.txt","Derby City Council","Derby","M",("Mr","Andrew","Kershaw"),"Strategic Director of Children and Young People's Services","The Council House, Corporation Street, Derby DE1 2FS","3 March 2011","2011-03","2011-03-29","A",0,"Adam Wilkinson","Chris Cloke","Cllr Philip Hickson","Cabinet Member for Children and Young People"),
 ("kingston-upon-thames-2009.txt","Royal Borough of Kingston upon Thames","Kingston upon Thames","L",("Ms","Alison","Bramwell"),"Director of Learning and Children's Services","Guildhall 2, High Street, Kingston upon Thames KT1 1EU","27 and 28 October 2009","2009-10","2009-11-24","D",1,"Bruce McDonald","Margaret Allman","Cllr Rolson Davies","Portfolio Holder for Children's Services"),
 ("wiltshire-2011.txt","Wiltshire Council","Wiltshire","S",("Mrs","Judith","Caldecott"),"Corporate Director, Children and Education","County Hall, Bythesea Road, Trowbridge BA14 8JN","29 and 30 November 2011","2011-11","2011-12-20","E",1,"Andrew Kerr","Mark Gurrey","Cllr Lionel Grundy","Cabinet Member for Children's Services"),
 ("salford-2010.txt","Salford City Council","Salford","N",("Mr","Neville","Brackenbury"),"Strategic Director, Children's Services","Civic Centre, Chorley Road, Swinton, Salford M27 5DA","19 and 20 January 2010","2010-01","2010-02-16","B",1,"Barbara Spicer","Simon Westwood","Cllr John Merry","Lead Member for Children's Services"),
 ("stockport-2012.txt","Stockport Metropolitan Borough Council","Stockport","N",("Ms","Clare","Whitmore"),"Corporate Director for Children and Young People","Town Hall, Edward Street, Stockport SK1 3XE","1 and 2 May 2012","2012-05","2012-05-29","A",1,"Eamonn Boylan","Anne Bailey","Cllr Mark Weldon","Executive Councillor for Children and Young People"),
 ("suffolk-2010.txt","Suffolk County Council","Suffolk","S",("Mrs","Eleanor","Prothero"),"Director for Children and Young People","Endeavour House, 8 Russell Road, Ipswich IP1 2BX","13 and 14 July 2010","2010-07","2010-08-10","E",0,"Andrea Hill","Chris Robson","Cllr Graham Newman","Portfolio Holder for Children, Schools and Young People's Services"),
 ("plymouth-2011.txt","Plymouth City Council","Plymouth","S",("Ms","Bronwen","Tallis"),"Director for Services for Children and Young People","Windsor House, Tavistock Road, Plymouth PL6 5UF","14 and 15 June 2011","2011-06","2011-07-12","C",2,"Barry Keel","Alan Bowers","Cllr Sam Leaves","Cabinet Member for Children and Young People"),
 ("gateshead-2009.txt","Gateshead Council","Gateshead","N",("Mr","Colin","Aldridge"),"Group Director, Learning and Children","Civic Centre, Regent Street, Gateshead NE8 1HH","8 and 9 September 2009","2009-09","2009-10-06","D",1,"Roger Kelly","Ann Baxter","Cllr Catherine Donovan","Cabinet Member for Children and Young People"),
 ("wolverhampton-2012.txt","Wolverhampton City Council","Wolverhampton","M",("Mrs","Sandra","Etheridge"),"Strategic Director, Education and Enterprise","Civic Centre, St Peter's Square, Wolverhampton WV1 1SH","7 and 8 February 2012","2012-02","2012-03-06","B",2,"Simon Warren","Alan Coe","Cllr Val Gibson","Cabinet Member for Children and Families"),
 ("hackney-2011.txt","London Borough of Hackney","Hackney","L",("Mr","Owen","Castellan"),"Corporate Director, Children and Young People's Services","Hackney Service Centre, 1 Hillman Street, London E8 1DY","10 and 11 May 2011","2011-05","2011-06-07","A",1,"Tim Shields","Jim Gamble","Cllr Rita Krishna","Cabinet Member for Children's Services"),
 ("cumbria-2010.txt","Cumbria County Council","Cumbria","N",("Mrs","Moira","Gilchrist"),"Corporate Director, Children's Services","The Courts, Carlisle CA3 8NA","4 and 5 May 2010","2010-05","2010-06-01","E",0,"Jill Stannard","John Harris","Cllr Anne Burns","Cabinet Member for Children's Services"),
 ("bristol-2009.txt","Bristol City Council","Bristol","S",("Ms","Annette","Jory"),"Strategic Director, Children and Young People's Services","The Council House, College Green, Bristol BS1 5TR","17 and 18 November 2009","2009-11","2009-12-15","A",1,"Jan Ormondroyd","Nigel Doe","Cllr Peter Hammond","Executive Member for Children and Young People"),
 ("medway-2012.txt","Medway Council","Medway","L",("Mr","Barry","Winstanley"),"Director of Children and Adults Services","Gun Wharf, Dock Road, Chatham, Kent ME4 4TR","18 April 2012","2012-04","2012-05-15","D",0,"Neil Davies","Sue Ellis","Cllr Les Wicks","Portfolio Holder for Children's Services"),
 ("north-yorkshire-2011.txt","North Yorkshire County Council","North Yorkshire","N",("Mr","Cedric","Lomax"),"Corporate Director, Children and Young People's Service","County Hall, Racecourse Lane, Northallerton DL7 8AE","9 and 10 November 2011","2011-11","2011-12-06","C",0,"Richard Flinton","Kevin McAleese","Cllr Tony Hall","Executive Member for Children's Services"),
 ("warrington-2010.txt","Warrington Borough Council","Warrington","N",("Mrs","Gillian","Thwaite"),"Executive Director, Children and Young People's Services","New Town House, Buttermarket Street, Warrington WA1 2NH","19 and 20 October 2010","2010-10","2010-11-16","B",1,"Diana Terris","Brian Hanley","Cllr Bob Barr","Executive Board Member for Children's Services"),
]

# All people are invented: replace every person name with a generated one (same person kept where a row repeats it).
_FIRST_F = ["Hilary","Judith","Marian","Fenella","Rosalind","Imogen","Verity","Gwendolen","Philippa","Harriet","Lorna","Miriam","Celia","Tamsin","Jocelyn","Beatrix","Maxine","Delia","Rowena","Esther"]
_FIRST_M = ["Crispin","Desmond","Leopold","Rupert","Ambrose","Lionel","Cedric","Humphrey","Barnaby","Jasper","Fergus","Ivor","Laurence","Malcolm","Gideon","Oswald","Quentin","Rodney","Silas","Tobias"]
_SUR = ["Abernethy","Brackley","Cattermole","Dunstable","Ellingham","Fothergill","Gorringe","Hebblethwaite","Inchbald","Jellicoe","Kettlewell","Loxley","Mottram","Nettleship","Oakenfold","Pettifer","Quarrington","Rushworth","Scarisbrick","Tattersall","Underwood","Venables","Wetherall","Yardley","Ashbrook","Blenkinsop","Culshaw","Dimmock","Eversley","Fairclough","Gilsenan","Hathersage","Ibbotson","Jarrold","Kinnersley","Ledgard","Merriman","Northcote","Ormesher","Pilkington","Ramsbottom","Sowerby","Thirkettle","Uttley","Vickerstaff","Waddilove","Aldersley","Birtwistle","Colclough","Dewhirst","Entwhistle","Foxcroft","Greatorex","Haworth","Illingworth","Jagger","Kenyon","Lumb","Moorhouse","Nuttall","Openshaw","Pickersgill","Riddiough","Stansfield","Thistlethwaite","Wolstenholme","Ackroyd","Bairstow","Crabtree","Duckworth","Eastwood","Firth","Gledhill","Holroyd","Ingham","Jowett","Kershaw","Lister","Mellor","Normington","Oddy","Priestley","Rhodes","Sutcliffe","Tetley","Walsh","Whiteley","Wrigglesworth","Yeadon","Acaster"]
def _names():
    r = random.Random(2024)
    used = set(); memo = {}; dirsur = set()
    def person(key, female=None):
        if key in memo: return memo[key]
        while True:
            f = r.random() < 0.5 if female is None else female
            n = (r.choice(_FIRST_F if f else _FIRST_M), r.choice(_SUR), f)
            if (n[0], n[1]) not in used and not (key[0] == 'dir' and n[1] in dirsur): break
        used.add((n[0], n[1])); memo[key] = n
        if key[0] == 'dir': dirsur.add(n[1])
        return n
    out = []
    for row in L:
        row = list(row)
        t, fn, ln = row[4]
        fem = t in ("Mrs", "Ms")
        d = person(("dir", row[1], ln), fem)
        row[4] = (t, d[0], d[1])
        c = person(("ce", row[1], row[12])); row[12] = f"{c[0]} {c[1]}"
        l = person(("lscb", row[1], row[13])); row[13] = f"{l[0]} {l[1]}"
        k = person(("cllr", row[1], row[14])); row[14] = f"Cllr {k[0]} {k[1]}"
        out.append(tuple(row))
    return out
L = _names()
NUM = {0: "no areas", 1: "one area", 2: "two areas"}

def allocate(seed):
    rnd = random.Random(seed)
    entries = bank.parse()
    letters = {r[0]: {"themes": set(), "sat": [], "strength": [], "development": [], "priority": [], "npri": r[11]} for r in L}
    for src, sec, th, text in bank.PAIRS:
        d = letters[src]
        key = "sat" if sec == "satisfactory" else sec
        d[key].append({"themes": [th], "text": text})
        d["themes"].add(th)
    pri = [e for e in entries if e["sign"] == "!"]
    neg = [e for e in entries if e["sign"] == "-"]
    pos = [e for e in entries if e["sign"] == "+"]
    for p in (pri, neg, pos): rnd.shuffle(p)
    srcs = [r[0] for r in L]
    def fits(d, e): return not (set(e["themes"]) & d["themes"])
    def place(d, key, e):
        d[key].append(e); d["themes"].update(e["themes"])
    # priority slots
    for s in srcs:
        d = letters[s]
        while len(d["priority"]) < d["npri"]:
            for i, e in enumerate(pri):
                if fits(d, e): place(d, "priority", pri.pop(i)); break
            else: return None
    neg = pri + neg; rnd.shuffle(neg)
    def targets(total, key_list, lo, hi):
        # random per-letter targets in [lo,hi] summing to total, respecting what is pre-placed
        t = {s: {k: max(lo, sum(len(letters[s][k]) for k in [kk]) ) for kk in key_list for k in [kk]} for s in srcs}
        cur = sum(v for s in srcs for v in t[s].values())
        cells = [(s, k) for s in srcs for k in key_list]
        guard = 0
        while cur < total:
            s, k = rnd.choice(cells)
            if t[s][k] < hi: t[s][k] += 1; cur += 1
            guard += 1
            if guard > 100000: return None
        return t if cur == total else None
    tdev = targets(len(neg) + sum(len(letters[s]["development"]) for s in srcs), ["development"], 3, 5)
    npos = len(pos) + sum(len(letters[s][k]) for s in srcs for k in ("sat", "strength"))
    tpos = targets(npos, ["sat", "strength"], 3, 5)
    if not tdev or not tpos: return None
    def fill(pool, tgt, keys):
        while pool:
            need = [(s, k) for s in srcs for k in keys if len(letters[s][k]) < tgt[s][k]]
            if not need: return False
            need.sort(key=lambda sk: (len(letters[sk[0]][sk[1]]) - tgt[sk[0]][sk[1]], rnd.random()))
            s, k = need[0]; d = letters[s]
            for i, e in enumerate(pool):
                if fits(d, e): place(d, k, pool.pop(i)); break
            else: return False
        return all(len(letters[s][k]) == tgt[s][k] for s in srcs for k in keys)
    if not fill(neg, tdev, ["development"]): return None
    if not fill(pos, tpos, ["sat", "strength"]): return None
    for s in srcs:
        d = letters[s]
        if len(d["sat"]) < 3 or len(d["strength"]) < 3: return None
    return letters

def render(r, d, rnd):
    (src, auth, short, off, (ti, fn, ln), role, addr, idates, imonth, ldate, sk, npri, ce, lscb, cllr, port) = r
    year = int(imonth[:4])
    glyph = rnd.choice(["-", "-", "•", "*", "\uf0b7"])
    hstyle = rnd.choice(["plain", "plain", "colon", "upper"])
    def H(t):
        return t.upper() if hstyle == "upper" else (t + ":" if hstyle == "colon" else t)
    pri_first = npri > 0 and rnd.random() < 0.35
    lines = []
    lh, fax = OFFICE[off]
    lines += [lh, "", fax, "", "Safeguarding.lookedafterchildren@ofsted.gov.uk", "", "", ""]
    dt = datetime.date.fromisoformat(ldate)
    lines += [f"{dt.day} {dt.strftime('%B %Y')}", ""]
    if rnd.random() < 0.5:
        lines += [f"{ti} {fn} {ln} {role} {auth} {addr}", ""]
    else:
        lines += [f"{ti} {fn} {ln}", role, auth] + [a.strip() for a in addr.split(",")] + [""]
    lines += [f"Dear {ti} {ln}", ""]
    lines += [f"Annual unannounced inspection of contact, referral and assessment arrangements within {auth} children's services", ""]
    verb = rnd.choice(["which was conducted on", "which was carried out on", "which was conducted on", "carried out on"])
    op = (f"This letter contains the findings of the recent unannounced inspection of contact, referral and assessment arrangements "
          f"within local authority children's services in {auth} {verb} {idates}. The inspection was carried out under section 138 of the Education and Inspections Act 2006.")
    if year <= 2010:
        op += " It will contribute to Ofsted's annual review of the performance of the authority's children's services, for which Ofsted will award a rating later in the year."
    else:
        op += " The findings will be taken into account in Ofsted's assessment of the authority's children's services and will inform the next inspection of safeguarding and looked after children services."
    lines += [op, ""]
    prs = rnd.choice(["The inspection identified {n} for priority action and some areas for development which are detailed below.",
                      "The inspection identified {n} for priority action and a number of areas for development which are detailed below."])
    lines += [prs.format(n=NUM[npri]), ""]
    ev = rnd.choice([
      "The inspection sampled the quality and effectiveness of contact, referral and assessment arrangements and their impact on minimising the incidence of child abuse and neglect. Inspectors considered a range of evidence, including: electronic case records; supervision files and notes; observation of social workers and senior practitioners undertaking referral and assessment duties; and other information provided by staff and managers. Inspectors also spoke to a range of staff including managers, social workers, other practitioners and administrative staff. I am grateful to you and your staff for the help and time given during this inspection.",
      "The inspection sampled the quality and effectiveness of contact, referral and assessment arrangements and their impact on minimising the incidence of child abuse and neglect. Inspectors examined a sample of case files, both electronic and paper; observed duty and referral work in the contact centre; read supervision records; and held discussions with managers, social workers, family support workers and administrative staff. I am grateful to you and your colleagues for your cooperation during the inspection.",
      "Inspectors examined the quality and effectiveness of contact, referral and assessment arrangements and their impact on minimising the incidence of child abuse and neglect. Evidence considered included electronic and paper case records, supervision notes, performance information and the observation of practitioners undertaking duty and assessment work. Inspectors also met with managers, social workers and other staff. I would like to thank you and your staff for the assistance given to the inspection team.",
    ])
    lines += [ev, ""]
    lines += ["From the evidence gathered, the inspection identified a number of areas where the contact, referral and assessment services were satisfactorily carrying out their responsibilities in accordance with national guidance, in particular:", ""]
    b = lambda e: f"{glyph} {e['text']}"
    lines += [b(e) for e in d["sat"]] + [""]
    lines += ["The following strengths and areas for development were also identified:", ""]
    lines += [H("Strengths"), ""] + [b(e) for e in d["strength"]] + [""]
    def pri_block():
        word = "area" if npri == 1 else "areas"
        return [f"This visit has identified the following {word} for priority action.", "",
                H("Area for priority action" if npri == 1 else "Areas for priority action"), ""] + [b(e) for e in d["priority"]] + [""]
    if pri_first: lines += pri_block()
    lines += [H("Areas for development"), ""] + [b(e) for e in d["development"]] + [""]
    if npri and not pri_first: lines += pri_block()
    sn, sr = SIG[sk]
    dept = "Department for Children, Schools and Families" if ldate < "2010-05-12" else "Department for Education"
    lines += ["Yours sincerely", "", sn, "", sr, "",
              f"Copy: {ce}, Chief Executive, {auth}",
              f"{lscb}, Chair of the Local Safeguarding Children Board",
              f"{cllr}, {port}, {auth}",
              f"{rnd.choice(['Delphine Arkwright', 'Ewart Pennyfeather', 'Winifred Glossop'])}, {dept}"]
    return "\n".join(lines) + "\n"

def main():
    for seed in range(2000):
        letters = allocate(seed)
        if letters: break
    else:
        sys.exit("allocation failed")
    print("seed", seed)
    rnd = random.Random(7)
    labels, lrows = [], []
    secname = {"sat": "satisfactory", "strength": "strength", "development": "development", "priority": "priority"}
    for r in L:
        src = r[0]; d = letters[src]
        for k in ("sat", "strength", "development", "priority"):
            rnd.shuffle(d[k])
        txt = render(r, d, rnd)
        open(os.path.join(OUT, "letters", src), "w").write(txt)
        for k in ("sat", "strength", "development", "priority"):
            for e in d[k]:
                labels.append({"source": src, "authority": r[1], "year": int(r[8][:4]), "section": secname[k], "text": e["text"], "themes": e["themes"]})
        lrows.append({"source": src, "authority": r[1], "letter_date": r[9], "inspection_dates": r[7], "inspection_month": r[8], "signatory": SIG[r[10]][0], "n_priority": r[11]})
        assert len(d["priority"]) == r[11], src
    with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
        for x in labels: f.write(json.dumps(x, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "letters.jsonl"), "w") as f:
        for x in lrows: f.write(json.dumps(x, ensure_ascii=False) + "\n")
    print(len(lrows), "letters", len(labels), "findings")

if __name__ == "__main__":
    main()
