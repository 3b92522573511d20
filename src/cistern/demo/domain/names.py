"""Name pools for the demo district's customers, shaped like California's households.

Each heritage has its own first and last names and the share of its households that prefer
a language other than English (roughly the American Community Survey's "speaks English less
than very well" shares for California). English stays the large majority overall.
Some names carry accents (José, Núñez) so the search's accent folding is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heritage:
    key: str
    weight: int  # share of person customers, in percent
    language: str  # the non-English language some households prefer
    language_share: float  # of this heritage's households, how many prefer it
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


HISPANIC = Heritage(
    key="hispanic",
    weight=38,
    language="es",
    language_share=0.30,
    first_names=_split(
        "José María Juan Guadalupe Luis Ana Carlos Rosa Miguel Carmen Jesús Elena Francisco "
        "Sofía Antonio Isabel Alejandro Gabriela Manuel Verónica Javier Lucía Ricardo Patricia "
        "Fernando Adriana Jorge Mónica Roberto Alejandra Eduardo Leticia Raúl Teresa Sergio "
        "Yolanda Arturo Claudia Héctor Marisol Rubén Araceli Daniel Valeria Mateo Camila "
        "Santiago Ximena Diego Natalia Emilio Paola Andrés Rocío Julio Silvia Óscar Beatriz"
    ),
    last_names=_split(
        "García Hernández López Martínez González Rodríguez Pérez Sánchez Ramírez Torres Flores "
        "Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ramos Ruiz Mendoza Álvarez "
        "Castillo Jiménez Vásquez Moreno Romero Herrera Medina Aguilar Vargas Castro Guzmán "
        "Fernández Juárez Salazar Delgado Ortega Núñez Peña Rojas Soto Contreras Luna Ríos "
        "Cervantes Estrada Figueroa Navarro Domínguez Campos Vega Cárdenas Zamora Ibarra Solís "
        "Barajas Orozco Valenzuela Montoya Ochoa Maldonado Villanueva Escobar Mejía Arellano"
    ),
)

ANGLO = Heritage(
    key="anglo",
    weight=37,
    language="en",
    language_share=0.0,
    first_names=_split(
        "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
        "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
        "Matthew Betty Anthony Sandra Mark Ashley Donald Kimberly Steven Emily Paul Donna Andrew "
        "Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah George Stephanie "
        "Timothy Rebecca Ronald Laura Jason Sharon Ryan Cynthia Jacob Kathleen Gary Amy Nicholas "
        "Shirley Eric Angela Jonathan Helen Justin Anna Scott Brenda Brandon Pamela Gregory Emma"
    ),
    last_names=_split(
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
        "Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
        "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
        "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper "
        "Peterson Bailey Reed Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett "
        "Gray Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan "
        "Bell Coleman Butler Henderson Barnes Fisher Hayes Graham McDonald O'Brien Schmidt"
    ),
)

CHINESE = Heritage(
    key="chinese",
    weight=6,
    language="zh-hans",
    language_share=0.35,
    first_names=_split(
        "Wei Jing Li Ming Hui Xiaoming Mei Jun Yan Lan Hong Chen Fang Ying Tao Lei Qiang Xin "
        "Kevin Amy Jason Grace Eric Michelle David Jennifer Vivian Alan Helen Peter Wendy"
    ),
    last_names=_split(
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao "
        "Chan Wong Leung Lee Chow Lau Ng Cheung Ho Tam Yip Fong Kwan Lam"
    ),
)

FILIPINO = Heritage(
    key="filipino",
    weight=5,
    language="tl",
    language_share=0.15,
    first_names=_split(
        "Maria Jose Juan Rosario Ramon Lourdes Eduardo Corazon Rodrigo Imelda Marites Ferdinand "
        "Jocelyn Reynaldo Cristina Romeo Analyn Jerome Maricel Joel Rowena Arnel Divina Nestor"
    ),
    last_names=_split(
        "Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Tomas Andrada Castillo Flores "
        "Villanueva Ramos Dela Cruz Aquino Manalo Pascual Soriano Dizon Lacson Macapagal "
        "Domingo Salvador Mercado Navarro Padilla Gonzales Tolentino Valdez Agustin"
    ),
)

VIETNAMESE = Heritage(
    key="vietnamese",
    weight=3,
    language="vi",
    language_share=0.40,
    first_names=_split(
        "Anh Bao Binh Chi Cuong Dung Duc Hanh Hieu Hoa Hung Huong Khanh Lan Linh Long Mai Minh "
        "Nam Ngoc Phuong Quang Thanh Thao Thuy Trang Tuan Van Vy"
    ),
    last_names=_split(
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Nguyen Tran "
        "Le Pham Hoang Huynh Vo Dang Bui Do Ho Ngo Duong Ly"
    ),
)

KOREAN = Heritage(
    key="korean",
    weight=2,
    language="ko",
    language_share=0.35,
    first_names=_split(
        "Min-jun Seo-yeon Ji-hoon Ji-woo Hyun-woo Soo-jin Jae-won Eun-ji Sung-min Hye-jin "
        "Dong-hyun Yoo-na Joon-ho Mi-young Sang-woo Young-hee Daniel Grace Joseph Esther"
    ),
    last_names=_split(
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Song"
    ),
)

OTHER = Heritage(
    key="other",
    weight=9,
    language="en",
    language_share=0.0,
    first_names=_split(
        "Priya Raj Anjali Arjun Sunita Vikram Harpreet Gurpreet Aram Ani Hovik Narine Kenji "
        "Yuki Hiroshi Aiko Malik Aaliyah Andre Jasmine Darnell Keisha Tyrone Imani Omar Leila "
        "Samir Yasmin Dmitri Olga Sergei Natasha Ahmad Farah Kwame Ama Tomasz Agnieszka"
    ),
    last_names=_split(
        "Patel Singh Sharma Gill Sandhu Kaur Sarkisian Petrosyan Grigoryan Hakobyan Tanaka "
        "Nakamura Yamamoto Sato Washington Jefferson Jackson Robinson Coleman Haddad Khan "
        "Rahimi Hosseini Ivanov Petrov Kowalski Nowak Mensah Okafor Adeyemi Mahmoud Yilmaz"
    ),
)

HERITAGES: tuple[Heritage, ...] = (HISPANIC, ANGLO, CHINESE, FILIPINO, VIETNAMESE, KOREAN, OTHER)
